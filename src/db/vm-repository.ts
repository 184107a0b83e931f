// Every read of the database, through Prisma: VM rows and the operation log. Writes go
// through LogWriter (one better-sqlite3 connection, group commits).
import type { PrismaClient } from '@prisma/client';
import type { Operation, OperationKind, AnyVmConfig } from '../sim/index.js';

/** The largest `seq` a log entry can have: Operation.seq is an Int column, 32-bit signed on PostgreSQL. */
export const MAX_LOG_SEQ = 2 ** 31 - 1;

export interface StoredVm {
  id: string;
  config: AnyVmConfig;
  createdAt: Date;
  /** sha256 of the token that created the VM; null if created while the server ran open. */
  owner: string | null;
}

export interface LogEntry {
  seq: number;
  kind: OperationKind;
  op: Operation;
  /** The engine's answer (every result is a JSON object). */
  result: object;
  createdAt: Date;
}

/** A logged operation as replay needs it: the result stays text, to compare byte for byte. */
export interface ReplayEntry {
  seq: number;
  op: Operation;
  resultJson: string;
}

const REPLAY_BATCH = 5000;

const toStoredVm = (row: { id: string; config: string; createdAt: Date; ownerTokenHash: string | null }): StoredVm => ({
  id: row.id,
  config: JSON.parse(row.config) as AnyVmConfig,
  createdAt: row.createdAt,
  owner: row.ownerTokenHash,
});

export class VmRepository {
  constructor(readonly prisma: PrismaClient) {}

  /** Throws if the database cannot answer. */
  async ping(): Promise<void> {
    await this.prisma.$queryRawUnsafe('SELECT 1');
  }

  /** VMs in creation order, after the VM whose id is `after`; only `owner`'s when given. */
  async listVms(after: string | undefined, take: number, owner?: string): Promise<StoredVm[]> {
    const rows = await this.prisma.vm.findMany({
      ...(owner !== undefined && { where: { ownerTokenHash: owner } }),
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take,
      ...(after !== undefined && { cursor: { id: after }, skip: 1 }),
    });
    return rows.map(toStoredVm);
  }

  async vm(id: string): Promise<StoredVm | undefined> {
    const row = await this.prisma.vm.findUnique({ where: { id } });
    return row ? toStoredVm(row) : undefined;
  }

  async allVms(): Promise<StoredVm[]> {
    return (await this.prisma.vm.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map(toStoredVm);
  }

  async operations(vmId: string, afterSeq: number, take: number): Promise<LogEntry[]> {
    const rows = await this.prisma.operation.findMany({
      where: { vmId, seq: { gt: afterSeq } },
      orderBy: { seq: 'asc' },
      take,
    });
    return rows.map((row) => ({
      seq: row.seq,
      kind: row.kind as OperationKind,
      op: JSON.parse(row.op) as Operation,
      result: JSON.parse(row.result) as object,
      createdAt: row.createdAt,
    }));
  }

  /** The VM's whole log in seq order, a batch at a time. */
  async *replayLog(vmId: string): AsyncGenerator<ReplayEntry[]> {
    for (let after = 0; ;) {
      const rows = await this.prisma.operation.findMany({
        where: { vmId, seq: { gt: after } },
        orderBy: { seq: 'asc' },
        take: REPLAY_BATCH,
        select: { seq: true, op: true, result: true },
      });
      if (rows.length === 0) return;
      yield rows.map((row) => ({ seq: row.seq, op: JSON.parse(row.op) as Operation, resultJson: row.result }));
      after = rows[rows.length - 1]!.seq;
    }
  }

  /** The operations of log entries afterSeq+1..upTo in seq order, without their results, a batch at a time. */
  async *loggedOperations(vmId: string, afterSeq: number, upTo: number): AsyncGenerator<Operation[]> {
    for (let after = afterSeq; after < upTo;) {
      const rows = await this.prisma.operation.findMany({
        where: { vmId, seq: { gt: after, lte: upTo } },
        orderBy: { seq: 'asc' },
        take: REPLAY_BATCH,
        select: { seq: true, op: true },
      });
      if (rows.length === 0) return;
      yield rows.map((row) => JSON.parse(row.op) as Operation);
      after = rows[rows.length - 1]!.seq;
    }
  }
}

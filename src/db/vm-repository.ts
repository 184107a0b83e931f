// Every read and write of the database: VM rows, the operation log, and the mirror tables.
import type { Prisma, PrismaClient } from '@prisma/client';
import type { Operation, OperationKind, VmConfig } from '../sim/index.js';
import { toFixedHex } from './fixed-hex.js';
import { targetRange, type Projection } from './projections.js';

export interface StoredVm {
  id: string;
  config: VmConfig;
  createdAt: Date;
}

export interface LogEntry {
  seq: number;
  kind: OperationKind;
  op: Operation;
  result: unknown;
  createdAt: Date;
}

/** A logged operation as replay needs it: the result stays text, to compare byte for byte. */
export interface LoggedOperation {
  seq: number;
  op: Operation;
  resultJson: string;
}

const REPLAY_BATCH = 1000;

const toStoredVm = (row: { id: string; config: string; createdAt: Date }): StoredVm => ({
  id: row.id,
  config: JSON.parse(row.config) as VmConfig,
  createdAt: row.createdAt,
});

export class VmRepository {
  constructor(readonly prisma: PrismaClient) {}

  /** Throws if the database cannot answer. */
  async ping(): Promise<void> {
    await this.prisma.$queryRawUnsafe('SELECT 1');
  }

  async insertVm(vm: StoredVm): Promise<void> {
    await this.prisma.vm.create({
      data: { id: vm.id, name: vm.config.name, config: JSON.stringify(vm.config), createdAt: vm.createdAt },
    });
  }

  /** Removes the VM and, by cascade, its log and mirror rows. */
  async deleteVm(id: string): Promise<void> {
    await this.prisma.vm.deleteMany({ where: { id } });
  }

  /** VMs in creation order, after the VM whose id is `after`. */
  async listVms(after: string | undefined, take: number): Promise<StoredVm[]> {
    const rows = await this.prisma.vm.findMany({
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take,
      ...(after !== undefined && { cursor: { id: after }, skip: 1 }),
    });
    return rows.map(toStoredVm);
  }

  async allVms(): Promise<StoredVm[]> {
    return (await this.prisma.vm.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map(toStoredVm);
  }

  /** Commits the log entry and the mirror rows in one transaction. */
  async appendOperation(vmId: string, seq: number, op: Operation, resultJson: string, projection: Projection): Promise<Date> {
    const createdAt = new Date();
    const entry = this.prisma.operation.create({
      data: { vmId, seq, kind: op.op, op: JSON.stringify(op), result: resultJson, ...targetRange(op), createdAt },
    });
    const mirror = this.mirrorWrites(vmId, projection);
    if (mirror.length === 0) await entry;
    else await this.prisma.$transaction([entry, ...mirror]);
    return createdAt;
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
      result: JSON.parse(row.result) as unknown,
      createdAt: row.createdAt,
    }));
  }

  /** The VM's whole log in seq order, a batch at a time. */
  async *replayLog(vmId: string): AsyncGenerator<LoggedOperation[]> {
    for (let after = 0; ; ) {
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

  private mirrorWrites(vmId: string, projection: Projection): Prisma.PrismaPromise<unknown>[] {
    const writes: Prisma.PrismaPromise<unknown>[] = [];
    if (projection.memslots) {
      writes.push(this.prisma.memslot.deleteMany({ where: { vmId } }));
      writes.push(
        this.prisma.memslot.createMany({
          data: projection.memslots.map((m) => ({
            vmId,
            addressSpace: m.addressSpace,
            slot: m.slot,
            guestPhysAddr: toFixedHex(m.guestPhysAddr),
            size: toFixedHex(m.size),
            userspaceAddr: toFixedHex(m.userspaceAddr),
            guestMemfdOffset: toFixedHex(m.guestMemfdOffset),
            flags: JSON.stringify(m.flags),
            backing: JSON.stringify(m.backing),
          })),
        }),
      );
    }
    if (projection.vcpus) {
      writes.push(this.prisma.vcpu.deleteMany({ where: { vmId } }));
      writes.push(
        this.prisma.vcpu.createMany({
          data: projection.vcpus.map((v) => ({
            vmId,
            id: v.id,
            maxPhysAddr: v.maxPhysAddr,
            smm: v.smm,
            guestMode: v.guestMode,
            nestedTdp: v.nestedTdp,
          })),
        }),
      );
    }
    if (projection.attributes) {
      writes.push(this.prisma.memoryAttributeRange.deleteMany({ where: { vmId } }));
      writes.push(
        this.prisma.memoryAttributeRange.createMany({
          data: projection.attributes.map((a) => ({
            vmId,
            address: toFixedHex(a.address),
            size: toFixedHex(a.size),
            private: a.private,
          })),
        }),
      );
    }
    return writes;
  }
}

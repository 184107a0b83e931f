// Every write of a PostgreSQL store, on one dedicated `pg` connection: VM rows (with the
// creator's lease in cluster mode) and groups of operation-log entries, each group in ONE
// transaction. Transactions on this connection run one at a time (a promise chain), so a
// VM insert never interleaves with a group.
//
// Fencing: an entry that carries an epoch commits only if that epoch is still its VM's
// lease epoch. The group's transaction reads those lease rows FOR SHARE before inserting,
// so an instance taking a lease over (UPDATE ... epoch + 1, lease-store.ts) waits for the
// group to commit and then replays a log that includes it, or the group sees the new epoch
// and leaves that VM's entries out. A paused owner that lost its lease cannot write.
//
// In cluster mode the session has idle_in_transaction_session_timeout and lock_timeout
// (config.ts SessionLimits): an owner paused inside a group loses its session, and with it
// its locks, before its lease expires. A lost session is replaced before the next transaction.
import pg from 'pg';
import type { SessionLimits } from '../config.js';
import { toFixedHex } from './fixed-hex.js';
import { NotWritten, type CommitOutcome, type LogEntryWrite, type LogWriter, type NewLease, type VmRowWrite } from './log-writer.js';
import { memslotRow, targetRange, type Projection } from './projections.js';

/** Database time in UTC, the representation of every Prisma DateTime column (TIMESTAMP(3), no zone). */
export const NOW_UTC = `(now() AT TIME ZONE 'UTC')`;

/** How the store's sessions are set up (all optional: a single instance needs none). */
export interface SessionOptions {
  limits?: SessionLimits;
  /** application_name, so an operator (or a test) finds the session in pg_stat_activity. */
  applicationName?: string;
  /** A session ended under an idle connection (it is replaced before its next use). */
  onConnectionError?: (error: Error) => void;
}

/** Hooks only tests set. */
export interface LogWriterSeams {
  /** The process stops itself (SIGSTOP) inside the group transaction logging a pre-fault at this gpa. */
  stopInGroupOnGpa?: string;
}

/** The connection parameters of a store session: the URL, its limits and its name. */
export function sessionConfig(databaseUrl: string, options: SessionOptions, role: string): pg.ClientConfig {
  return {
    connectionString: databaseUrl,
    ...(options.limits && {
      idle_in_transaction_session_timeout: options.limits.idleInTransactionTimeoutMs,
      lock_timeout: options.limits.lockTimeoutMs,
    }),
    ...(options.applicationName && { application_name: `${options.applicationName} ${role}` }),
  };
}

export class PostgresLogWriter implements LogWriter {
  private tail: Promise<unknown> = Promise.resolve();
  private client: pg.Client | undefined;

  private constructor(
    private readonly config: pg.ClientConfig,
    private readonly options: SessionOptions,
    private readonly seams: LogWriterSeams,
  ) {}

  static async open(databaseUrl: string, options: SessionOptions = {}, seams: LogWriterSeams = {}): Promise<PostgresLogWriter> {
    const writer = new PostgresLogWriter(sessionConfig(databaseUrl, options, 'writer'), options, seams);
    await writer.connection(); // a wrong URL fails the start, not the first write
    return writer;
  }

  insertVm(vm: VmRowWrite, lease?: NewLease): Promise<void> {
    return this.transaction(async (q) => {
      await q(
        'INSERT INTO "Vm" ("id", "name", "config", "createdAt", "ownerTokenHash") VALUES ($1, $2, $3, $4::timestamptz AT TIME ZONE \'UTC\', $5)',
        [vm.id, vm.config.name, JSON.stringify(vm.config), vm.createdAt.toISOString(), vm.owner],
      );
      if (lease)
        await q(
          `INSERT INTO "VmLease" ("vmId", "owner", "address", "epoch", "expiresAt") VALUES ($1, $2, $3, 1, ${NOW_UTC} + $4 * interval '1 millisecond')`,
          [vm.id, lease.owner, lease.address, lease.ttlMs],
        );
    });
  }

  deleteVm(id: string): Promise<void> {
    return this.transaction(async (q) => {
      await q('DELETE FROM "Vm" WHERE "id" = $1', [id]); // cascades to the log, mirrors and lease
    });
  }

  commit(entries: readonly LogEntryWrite[], createdAt: Date): Promise<CommitOutcome> {
    return this.transaction(async (q) => {
      const fenced = await this.fencedVms(q, entries);
      this.stopHereIfAsked(entries);
      const kept = entries.filter((e) => !fenced.has(e.vmId));
      if (kept.length > 0) {
        const ranges = kept.map((e) => targetRange(e.op));
        // One statement for the whole group: the columns as arrays, unnested into rows.
        await q(
          `INSERT INTO "Operation" ("vmId", "seq", "kind", "op", "result", "gpa", "size", "epoch", "createdAt")
           SELECT v, s, k, o, r, g, z, e, $9::timestamptz AT TIME ZONE 'UTC'
           FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[]) AS t(v, s, k, o, r, g, z, e)`,
          [
            kept.map((e) => e.vmId),
            kept.map((e) => e.seq),
            kept.map((e) => e.op.op),
            kept.map((e) => JSON.stringify(e.op)),
            kept.map((e) => e.resultJson),
            ranges.map((r) => r.gpa),
            ranges.map((r) => r.size),
            kept.map((e) => e.epoch ?? 0),
            createdAt.toISOString(),
          ],
        );
        for (const e of kept) await replaceMirrors(q, e.vmId, e.projection);
      }
      return { fenced };
    });
  }

  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    await this.client?.end();
    this.client = undefined;
  }

  /** The session, opened anew if the last one was lost (ended by the server, e.g. idle in transaction too long). */
  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client(this.config);
    client.on('error', (error) => {
      this.drop(client);
      this.options.onConnectionError?.(error);
    });
    client.on('end', () => this.drop(client));
    await client.connect();
    this.client = client;
    return client;
  }

  private drop(client: pg.Client): void {
    if (this.client === client) this.client = undefined;
    client.end().catch(() => undefined);
  }

  private stopHereIfAsked(entries: readonly LogEntryWrite[]): void {
    const gpa = this.seams.stopInGroupOnGpa;
    if (gpa !== undefined && entries.some((e) => e.op.op === 'pre_fault' && BigInt(e.op.gpa) === BigInt(gpa))) process.kill(process.pid, 'SIGSTOP');
  }

  /** VMs of the group whose entries carry an epoch that is no longer their lease's (locks the rest FOR SHARE). */
  private async fencedVms(q: Query, entries: readonly LogEntryWrite[]): Promise<Set<string>> {
    const wanted = new Map<string, number>();
    for (const e of entries) if (e.epoch !== undefined) wanted.set(e.vmId, e.epoch);
    if (wanted.size === 0) return new Set();
    // Sorted, so two transactions locking overlapping rows take them in one order.
    const rows = await q<{ vmId: string; epoch: number }>(
      'SELECT "vmId", "epoch" FROM "VmLease" WHERE "vmId" = ANY($1::text[]) ORDER BY "vmId" FOR SHARE',
      [[...wanted.keys()]],
    );
    const current = new Map(rows.map((r) => [r.vmId, r.epoch]));
    return new Set([...wanted].filter(([vmId, epoch]) => current.get(vmId) !== epoch).map(([vmId]) => vmId));
  }

  private transaction<T>(work: (q: Query) => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      const client = await this.connection();
      const q: Query = async (sql, params) => (await client.query(sql, params)).rows;
      let committing = false;
      try {
        await client.query('BEGIN');
        const result = await work(q);
        committing = true;
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A ROLLBACK that fails means the session is gone: the next transaction opens a new one.
        await client.query('ROLLBACK').catch(() => this.drop(client));
        throw committing ? error : new NotWritten(`the transaction failed before its commit: ${(error as Error).message}`, { cause: error });
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}

type Query = <R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<R[]>;

async function replaceMirrors(q: Query, vmId: string, p: Projection): Promise<void> {
  if (p.memslots) {
    await q('DELETE FROM "Memslot" WHERE "vmId" = $1', [vmId]);
    for (const m of p.memslots)
      await q(
        'INSERT INTO "Memslot" ("vmId", "addressSpace", "slot", "guestPhysAddr", "size", "userspaceAddr", "guestMemfdOffset", "flags", "backing") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        memslotRow(vmId, m),
      );
  }
  if (p.vcpus) {
    await q('DELETE FROM "Vcpu" WHERE "vmId" = $1', [vmId]);
    for (const v of p.vcpus)
      await q('INSERT INTO "Vcpu" ("vmId", "id", "maxPhysAddr", "smm", "guestMode", "nestedTdp") VALUES ($1, $2, $3, $4, $5, $6)', [
        vmId,
        v.id,
        v.maxPhysAddr,
        v.smm,
        v.guestMode,
        v.nestedTdp,
      ]);
  }
  if (p.attributes) {
    await q('DELETE FROM "MemoryAttributeRange" WHERE "vmId" = $1', [vmId]);
    for (const a of p.attributes)
      await q('INSERT INTO "MemoryAttributeRange" ("vmId", "address", "size", "private") VALUES ($1, $2, $3, $4)', [
        vmId,
        toFixedHex(a.address),
        toFixedHex(a.size),
        a.private,
      ]);
  }
}

// Every write of a SQLite store, as prepared better-sqlite3 statements on the one write
// connection: VM rows, and groups of operation-log entries with their mirror rows, each
// group in ONE transaction (all committed or none). Synchronous on purpose: nothing else
// runs while a group commits, so no request can see or build on a half-written group.
// Other writers on Prisma's connection must stay single statements (no $transaction): a
// write transaction held open across event-loop turns would make this connection wait on
// its busy timeout with the event loop blocked.
// The methods return promises only to share the LogWriter interface with PostgreSQL: the
// work is done before they return. A single SQLite instance needs no leases (NewLease and
// entry epochs are ignored).
import type Database from 'better-sqlite3';
import type { Checkpointer } from './checkpointer.js';
import { toFixedHex } from './fixed-hex.js';
import { NOTHING_FENCED, type CommitOutcome, type LogEntryWrite, type LogWriter, type VmRowWrite } from './log-writer.js';
import { memslotRow, targetRange, type Projection } from './projections.js';

/** DateTime as Prisma writes it to SQLite, so Prisma reads these rows back unchanged. */
const sqliteDateTime = (date: Date): string => date.toISOString().replace('Z', '+00:00');

const flag = (value: boolean): number => (value ? 1 : 0);

export class SqliteLogWriter implements LogWriter {
  private readonly insertVmRow;
  private readonly deleteVmRow;
  private readonly insertOperation;
  private readonly replaceMirrors;
  private readonly commitGroup;

  constructor(
    private readonly db: Database.Database,
    private readonly checkpointer?: Checkpointer,
  ) {
    this.insertVmRow = db.prepare('INSERT INTO "Vm" ("id", "name", "config", "createdAt", "ownerTokenHash") VALUES (?, ?, ?, ?, ?)');
    this.deleteVmRow = db.prepare('DELETE FROM "Vm" WHERE "id" = ?'); // cascades to the log and mirrors
    this.insertOperation = db.prepare(
      'INSERT INTO "Operation" ("vmId", "seq", "kind", "op", "result", "gpa", "size", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const mirror = {
      clearMemslots: db.prepare('DELETE FROM "Memslot" WHERE "vmId" = ?'),
      memslot: db.prepare(
        'INSERT INTO "Memslot" ("vmId", "addressSpace", "slot", "guestPhysAddr", "size", "userspaceAddr", "guestMemfdOffset", "flags", "backing") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      clearVcpus: db.prepare('DELETE FROM "Vcpu" WHERE "vmId" = ?'),
      vcpu: db.prepare('INSERT INTO "Vcpu" ("vmId", "id", "maxPhysAddr", "smm", "guestMode", "nestedTdp") VALUES (?, ?, ?, ?, ?, ?)'),
      clearAttributes: db.prepare('DELETE FROM "MemoryAttributeRange" WHERE "vmId" = ?'),
      attribute: db.prepare('INSERT INTO "MemoryAttributeRange" ("vmId", "address", "size", "private") VALUES (?, ?, ?, ?)'),
    };
    this.replaceMirrors = (vmId: string, p: Projection): void => {
      if (p.memslots) {
        mirror.clearMemslots.run(vmId);
        for (const m of p.memslots) mirror.memslot.run(...memslotRow(vmId, m));
      }
      if (p.vcpus) {
        mirror.clearVcpus.run(vmId);
        for (const v of p.vcpus) mirror.vcpu.run(vmId, v.id, v.maxPhysAddr, flag(v.smm), flag(v.guestMode), flag(v.nestedTdp));
      }
      if (p.attributes) {
        mirror.clearAttributes.run(vmId);
        for (const a of p.attributes) mirror.attribute.run(vmId, toFixedHex(a.address), toFixedHex(a.size), flag(a.private));
      }
    };
    this.commitGroup = db.transaction((entries: readonly LogEntryWrite[], createdAt: string) => {
      for (const e of entries) {
        const { gpa, size } = targetRange(e.op);
        this.insertOperation.run(e.vmId, e.seq, e.op.op, JSON.stringify(e.op), e.resultJson, gpa, size, createdAt);
        this.replaceMirrors(e.vmId, e.projection);
      }
    });
  }

  async insertVm(vm: VmRowWrite): Promise<void> {
    this.insertVmRow.run(vm.id, vm.config.name, JSON.stringify(vm.config), sqliteDateTime(vm.createdAt), vm.owner);
  }

  async deleteVm(id: string): Promise<void> {
    this.deleteVmRow.run(id);
  }

  /** Synchronous inside: the group is committed (or has thrown) before this returns its promise. */
  commit(entries: readonly LogEntryWrite[], createdAt: Date): Promise<CommitOutcome> {
    try {
      this.commitGroup(entries, sqliteDateTime(createdAt));
    } catch (error) {
      return Promise.reject(error as Error);
    }
    this.checkpointer?.committed(entries.length);
    return Promise.resolve(NOTHING_FENCED);
  }

  async close(): Promise<void> {
    await this.checkpointer?.close();
    if (this.db.open) this.db.close(); // the last connection to close checkpoints the rest
  }
}

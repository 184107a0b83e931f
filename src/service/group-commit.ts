// Group commit: every log entry enqueued during one turn of the event loop (all the
// requests Node read from all sockets in that turn, across VMs and pipelined on one VM) is
// written in ONE transaction, flushed from setImmediate right after that turn. Each
// caller's promise settles when its group has committed (or failed: then all of them fail,
// and onFailure names the VMs whose engines are now ahead of their logs). One group is in
// flight at a time: SQLite commits it before flush() returns; on PostgreSQL the entries
// enqueued meanwhile form the next group, flushed as soon as this one settles. Entries the
// writer fenced (their VM's lease moved to another instance) are rejected with LeaseLost.
import type { LogEntryWrite, LogWriter } from '../db/log-writer.js';

/** The entry's VM is now owned by another instance (cluster mode): nothing of it was written. */
export class LeaseLost extends Error {
  override name = 'LeaseLost';
}

interface Pending {
  entry: LogEntryWrite;
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface GroupCommitStats {
  groups: number;
  entries: number;
  largestGroup: number;
}

export class GroupCommit {
  private pending: Pending[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  readonly stats: GroupCommitStats = { groups: 0, entries: 0, largestGroup: 0 };

  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly writer: LogWriter,
    private readonly onFailure: (vmIds: Set<string>, error: Error) => void,
    private readonly onFenced: (vmIds: ReadonlySet<string>) => void = () => undefined,
  ) {}

  /** Resolves once the entry is committed; rejects with the group's error otherwise. */
  enqueue(entry: LogEntryWrite): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.pending.push({ entry, resolve, reject }));
    this.scheduled ??= setImmediate(() => this.flush());
    return done;
  }

  /** Commits everything enqueued so far (also called on close); settles when it has. */
  flush(): Promise<void> {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.inFlight) return this.inFlight.then(() => this.flush());
    const group = this.pending;
    if (group.length === 0) return Promise.resolve();
    this.pending = [];
    const settled = this.commit(group).finally(() => {
      this.inFlight = undefined;
      if (this.pending.length > 0) this.scheduled ??= setImmediate(() => void this.flush());
    });
    this.inFlight = settled;
    return settled;
  }

  private async commit(group: Pending[]): Promise<void> {
    let fenced: ReadonlySet<string>;
    try {
      ({ fenced } = await this.writer.commit(
        group.map((p) => p.entry),
        new Date(),
      ));
    } catch (error) {
      // Mark the VMs before any caller hears of it, so no later call builds on the lost changes.
      const failed = new Set(group.map((p) => p.entry.vmId));
      this.onFailure(failed, error as Error);
      // Their entries already waiting for the next group were applied on top of the lost ones: they fail too.
      const behind = this.pending.filter((p) => failed.has(p.entry.vmId));
      this.pending = this.pending.filter((p) => !failed.has(p.entry.vmId));
      for (const p of [...group, ...behind]) p.reject(error as Error);
      return;
    }
    if (fenced.size > 0) this.onFenced(fenced);
    const written = group.filter((p) => !fenced.has(p.entry.vmId));
    this.stats.groups += 1;
    this.stats.entries += written.length;
    this.stats.largestGroup = Math.max(this.stats.largestGroup, written.length);
    for (const p of group) {
      if (fenced.has(p.entry.vmId)) p.reject(new LeaseLost(`VM ${p.entry.vmId} is owned by another instance now`));
      else p.resolve();
    }
  }
}

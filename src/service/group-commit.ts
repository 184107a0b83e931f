// Group commit: every log entry enqueued during one turn of the event loop (all the
// requests Node read from all sockets in that turn, across VMs and pipelined on one VM) is
// written in ONE SQLite transaction, flushed from setImmediate right after that turn. Each
// caller's promise settles when its group has committed (or failed: then all of them fail,
// and onFailure names the VMs whose engines are now ahead of their logs).
import type { LogEntryWrite, LogWriter } from '../db/log-writer.js';

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

  constructor(
    private readonly writer: LogWriter,
    private readonly onFailure: (vmIds: Set<string>, error: Error) => void,
  ) {}

  /** Resolves once the entry is committed; rejects with the group's error otherwise. */
  enqueue(entry: LogEntryWrite): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.pending.push({ entry, resolve, reject }));
    this.scheduled ??= setImmediate(() => this.flush());
    return done;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Commits everything enqueued so far, now (also called on close). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const group = this.pending;
    if (group.length === 0) return;
    this.pending = [];
    try {
      this.writer.commit(
        group.map((p) => p.entry),
        new Date(),
      );
    } catch (error) {
      // Mark the VMs before any caller hears of it, so no later call builds on the lost changes.
      this.onFailure(new Set(group.map((p) => p.entry.vmId)), error as Error);
      for (const p of group) p.reject(error as Error);
      return;
    }
    this.stats.groups += 1;
    this.stats.entries += group.length;
    this.stats.largestGroup = Math.max(this.stats.largestGroup, group.length);
    for (const p of group) p.resolve();
  }
}

// GroupCommit against a writer that commits asynchronously, as PostgreSQL does: entries
// enqueued while a group is in flight form the next group, and when a group fails, the
// entries of its VMs already waiting in the next group fail with it (they were applied on
// top of the lost ones), while other VMs' entries still commit.
import { describe, expect, it } from 'vitest';
import { NOTHING_FENCED, type CommitOutcome, type LogEntryWrite, type LogWriter } from '../../src/db/log-writer.js';
import { GroupCommit } from '../../src/service/group-commit.js';

/** Commits settle only when the test says so; every group it was asked to write is kept. */
class SlowWriter implements LogWriter {
  readonly groups: { entries: readonly LogEntryWrite[]; settle: (error?: Error) => void }[] = [];
  async insertVm(): Promise<void> {}
  async deleteVm(): Promise<void> {}
  async close(): Promise<void> {}
  commit(entries: readonly LogEntryWrite[]): Promise<CommitOutcome> {
    return new Promise((resolve, reject) => this.groups.push({ entries, settle: (error) => (error ? reject(error) : resolve(NOTHING_FENCED)) }));
  }
}

const entry = (vmId: string, seq: number): LogEntryWrite => ({
  vmId,
  seq,
  op: { op: 'pre_fault', vcpuId: 0, gpa: `0x${(seq * 0x1000).toString(16)}`, size: '0x1000', flags: '0x0' },
  resultJson: '{}',
  projection: {},
});
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const outcome = (p: Promise<void>) =>
  p.then(
    () => 'committed',
    () => 'failed',
  );

describe('GroupCommit with a writer that commits asynchronously', () => {
  it('fails the waiting entries of a failed group’s VMs with it, and commits the others', async () => {
    const writer = new SlowWriter();
    const failedVms: string[][] = [];
    const commits = new GroupCommit(writer, (vmIds) => failedVms.push([...vmIds]));
    const first = outcome(commits.enqueue(entry('a', 1)));
    await nextTurn(); // group 1 (a:1) is in flight
    expect(writer.groups.map((g) => g.entries.length)).toEqual([1]);
    const behindA = outcome(commits.enqueue(entry('a', 2)));
    const otherVm = outcome(commits.enqueue(entry('b', 1)));
    writer.groups[0]!.settle(new Error('disk full'));
    expect(await first).toBe('failed');
    expect(await behindA).toBe('failed');
    expect(failedVms).toEqual([['a']]);
    await nextTurn();
    // The next group holds only b's entry; a:2 never reaches the log.
    expect(writer.groups[1]!.entries.map((e) => `${e.vmId}:${e.seq}`)).toEqual(['b:1']);
    writer.groups[1]!.settle();
    expect(await otherVm).toBe('committed');
  });
});

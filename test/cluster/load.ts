// Client load for the cluster tests: one sequential writer per VM (pre-faults of fresh 4K
// pages, each at its own gpa), retrying any failure (refused connection, 502/503/504) with
// the same call until it is acknowledged. It records every acknowledged gpa and the longest
// time each VM went without an acknowledgement, and checks the log in PostgreSQL after.
import { expect } from 'vitest';
import { queryRows } from '../helpers/store.js';
import { JSON_HEADERS, sleep } from './harness.js';

const gpaOf = (page: number) => `0x${(page * 0x1000).toString(16)}`;

export interface VmProgress {
  acknowledged: string[];
  failures: number;
  lastAckAt: number;
  /** Longest stretch (ms) between two acknowledgements, or from a failure streak's start to the next one. */
  longestGapMs: number;
}

export class Load {
  readonly progress = new Map<string, VmProgress>();
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(
    private readonly baseUrl: () => string,
    vmIds: readonly string[],
  ) {
    this.loops = vmIds.map((id) => this.loop(id));
  }

  private async loop(vmId: string): Promise<void> {
    const p: VmProgress = { acknowledged: [], failures: 0, lastAckAt: performance.now(), longestGapMs: 0 };
    this.progress.set(vmId, p);
    for (let page = 0; this.running;) {
      const gpa = gpaOf(page);
      const res = await fetch(`${this.baseUrl()}/v1/vms/${vmId}/vcpus/0/pre-fault`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ gpa, size: '0x1000' }),
        signal: AbortSignal.timeout(10_000),
      }).catch(() => undefined);
      const body = res?.status === 200 ? ((await res.json()) as { ret: number }) : (await res?.arrayBuffer(), undefined);
      const now = performance.now();
      if (body?.ret === 0) {
        p.acknowledged.push(gpa);
        p.longestGapMs = Math.max(p.longestGapMs, now - p.lastAckAt);
        p.lastAckAt = now;
        page += 1;
      } else {
        p.failures += 1;
        await sleep(50);
      }
    }
  }

  /** Resolves once every VM has an acknowledgement later than `since` (performance.now()). */
  async allAcknowledgedAfter(since: number, deadlineMs: number): Promise<number> {
    const end = performance.now() + deadlineMs;
    while ([...this.progress.values()].some((p) => p.lastAckAt <= since)) {
      if (performance.now() > end) throw new Error(`some VMs never answered again within ${deadlineMs} ms`);
      await sleep(50);
    }
    return Math.max(...[...this.progress.values()].map((p) => p.lastAckAt)) - since;
  }

  /** Starts measuring gaps afresh (e.g. when an instance is paused). */
  resetGaps(): void {
    for (const p of this.progress.values()) p.longestGapMs = 0;
  }

  /** Each VM's longest stretch without an acknowledgement since resetGaps(), the current one included. */
  gapsNow(): Map<string, number> {
    const now = performance.now();
    return new Map([...this.progress].map(([id, p]) => [id, Math.max(p.longestGapMs, now - p.lastAckAt)]));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  get acknowledgedCount(): number {
    return [...this.progress.values()].reduce((n, p) => n + p.acknowledged.length, 0);
  }

  /** No acknowledged pre-fault is missing from its VM's log, and every log is seq 1..n without gaps. */
  async expectNothingLost(databaseUrl: string): Promise<void> {
    for (const [vmId, p] of this.progress) {
      const rows = await queryRows<{ seq: number; kind: string; gpa: string | null }>(
        databaseUrl,
        'SELECT "seq", "kind", "gpa" FROM "Operation" WHERE "vmId" = ? ORDER BY "seq"',
        vmId,
      );
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
      const logged = new Set(rows.filter((r) => r.kind === 'pre_fault').map((r) => BigInt(r.gpa!)));
      const missing = p.acknowledged.filter((gpa) => !logged.has(BigInt(gpa)));
      expect(missing, `VM ${vmId}: acknowledged but not in the log`).toEqual([]);
    }
  }
}

// Client load for the cluster tests: one sequential writer per VM (pre-faults of fresh 4K
// pages, each at its own gpa), retrying any failure (refused connection, 502/503/504) with
// the same call until it is acknowledged. It records every acknowledged gpa and the longest
// time each VM went without an acknowledgement, and checks the log in PostgreSQL after.
import { expect } from 'vitest';
import { queryRows } from '../helpers/store.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const gpaOf = (page: number) => `0x${(page * 0x1000).toString(16)}`;

/** A call retried until it answers `expected` (or `deadline` passes: then it throws). */
export async function untilOk(url: string, init: RequestInit, expected: number, deadlineMs = 60_000): Promise<unknown> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const res = await fetch(url, init).catch(() => undefined);
    if (res?.status === expected) return res.json();
    if (Date.now() > end) throw new Error(`${init.method ?? 'GET'} ${url}: still ${res?.status ?? 'no answer'} after ${deadlineMs} ms`);
    await sleep(100);
  }
}

/** A VM with 1 GiB of 4K memory at gpa 0 and vCPU 0, created through `baseUrl`. */
export async function createLoadVm(baseUrl: string, name: string): Promise<string> {
  const vm = (await untilOk(`${baseUrl}/v1/vms`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ name }) }, 201)) as { id: string };
  await untilOk(`${baseUrl}/v1/vms/${vm.id}/memslots/0/0`, { method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify({ guestPhysAddr: '0x0', size: '0x40000000' }) }, 200);
  await untilOk(`${baseUrl}/v1/vms/${vm.id}/vcpus`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ id: 0 }) }, 201);
  return vm.id;
}

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
    for (let page = 0; this.running; ) {
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

// What a restarted server must show: every acknowledged call in the VM's log, a log with
// no gaps, and roots and mappings equal to a serial replay of that log on a fresh engine.
import { expect } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { createVm, withVmDefaults, type MappingRow, type Operation, type RootView, type VmConfigInput } from '../../src/sim/index.js';
import type { Ack } from './load.js';

interface Logged {
  seq: number;
  op: Operation;
  result: unknown;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return (await res.json()) as T;
}

export async function readLog(baseUrl: string, vmId: string): Promise<Logged[]> {
  const entries: Logged[] = [];
  let cursor: string | null = null;
  do {
    const page: { operations: Logged[]; nextCursor: string | null } = await getJson(
      `${baseUrl}/v1/vms/${vmId}/operations?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
    );
    entries.push(...page.operations);
    cursor = page.nextCursor;
  } while (cursor);
  return entries;
}

async function readMappings(baseUrl: string, vmId: string, rootId: string): Promise<MappingRow[]> {
  const rows: MappingRow[] = [];
  let cursor: string | null = null;
  do {
    const page: { mappings: MappingRow[]; nextCursor: string | null } = await getJson(
      `${baseUrl}/v1/vms/${vmId}/roots/${rootId}/mappings?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
    );
    rows.push(...page.mappings);
    cursor = page.nextCursor;
  } while (cursor);
  return rows;
}

/** Every acknowledged pre-fault is in its VM's log, with the result that was answered. */
export function expectAllAcknowledgedLogged(acked: Ack[], logs: Map<string, Logged[]>): void {
  for (const ack of acked) {
    const entry = logs.get(ack.vmId)?.find((e) => e.op.op === 'pre_fault' && e.op.gpa === ack.gpa);
    expect(entry, `acknowledged pre-fault ${ack.gpa} on ${ack.vmId} is missing from the log`).toBeDefined();
    expect(entry!.result).toEqual(ack.body);
  }
}

/** The server's VM equals a fresh engine VM with the log applied in seq order (no torn state). */
export async function expectReplayMatches(baseUrl: string, vmId: string, log: Logged[]): Promise<void> {
  expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
  const {
    id: _id,
    createdAt: _c,
    preFaultAllowed: _p,
    ...config
  } = await getJson<VmConfigInput & Record<string, unknown>>(`${baseUrl}/v1/vms/${vmId}`);
  const vm = createVm(withVmDefaults(config as VmConfigInput), DEFAULT_CONFIG.limits);
  for (const entry of log) expect(JSON.parse(JSON.stringify(vm.apply(entry.op))), `seq ${entry.seq}`).toEqual(entry.result);
  const { roots } = await getJson<{ roots: RootView[] }>(`${baseUrl}/v1/vms/${vmId}/roots`);
  expect(roots).toEqual(JSON.parse(JSON.stringify(vm.roots())));
  for (const root of roots) {
    const expected: MappingRow[] = [];
    let cursor: string | undefined;
    do {
      const page = vm.mappings(root.id, { limit: 1000, ...(cursor && { cursor }) });
      expected.push(...page.mappings);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(await readMappings(baseUrl, vmId, root.id)).toEqual(expected);
  }
}

// A generic runner for scenario files in the neutral format of shared/spec/examples
// (FORMAT.md). It knows the format, not the scenarios: a new JSON file runs without
// new code. The same runner drives the engine directly and the HTTP service, through
// the Driver interface. Steps become operations, and outcomes are compared, by the
// product's own import code (src/labs/scenario-io.ts), which `POST /v1/vms/import` uses.

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import {
  KERNEL_VERSIONS,
  type KernelVersion,
  type MappingRow,
  type Operation,
  type RootView,
  type VmConfigInput,
} from '../../src/sim/index.js';
import { compare, importScenario, rowDiffers } from '../../src/labs/scenario-io.js';

export interface Driver {
  createVm(config: VmConfigInput): Promise<void>;
  apply(op: Operation): Promise<Record<string, unknown>>;
  roots(): Promise<RootView[]>;
  /** Every mapping row of a root, across pages. */
  mappings(rootId: string, from?: string, to?: string): Promise<MappingRow[]>;
  capability(): Promise<number>;
}

type Json = Record<string, any>;

export interface Scenario {
  file: string;
  data: Json;
}

const REPO_SCENARIOS = resolve(import.meta.dirname, '../scenarios');
const SHARED_EXAMPLES = resolve(import.meta.dirname, '../../../shared/spec/examples');

/** Every scenario file: shared/spec/examples (when beside the repo) and test/scenarios/**. */
export function loadScenarios(): Scenario[] {
  const byId = new Map<string, Scenario>();
  const readDir = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) readDir(path);
      else if (entry.name.endsWith('.json')) {
        const data = JSON.parse(readFileSync(path, 'utf8')) as Json;
        if (!byId.has(data.id)) byId.set(data.id, { file: path, data });
      }
    }
  };
  readDir(SHARED_EXAMPLES); // the spec's own copy wins over the vendored one
  readDir(REPO_SCENARIOS);
  return [...byId.values()].sort((a, b) => String(a.data.id).localeCompare(String(b.data.id)));
}

/** The kernel versions a scenario holds for (kernel.min .. kernel.max), as far as the engine supports. */
export function scenarioKernels(s: Scenario): KernelVersion[] {
  const min = s.data.kernel?.min ?? '6.18';
  const max = s.data.kernel?.max ?? '6.18';
  const idx = (v: string): number => KERNEL_VERSIONS.indexOf(v as KernelVersion);
  return KERNEL_VERSIONS.filter((v) => idx(v) >= Math.max(0, idx(min)) && idx(v) <= (idx(max) < 0 ? 99 : idx(max)));
}

/** Host variants: the scenario's own host, plus one per distinct `alternate.when`. */
export function scenarioVariants(s: Scenario): Json[] {
  const whens = new Map<string, Json>();
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const obj = node as Json;
    if (obj.alternate?.when) whens.set(JSON.stringify(obj.alternate.when), obj.alternate.when);
    for (const v of Object.values(obj)) visit(v);
  };
  visit(s.data.steps);
  visit(s.data.expected_final_state);
  return [{}, ...whens.values()];
}

const num = (v: unknown): bigint => BigInt(v as string | number);

function expectRows(actual: MappingRow[], expected: Json[], mode: 'exact' | 'includes', where: string): void {
  const sorted = [...expected].sort((a, b) => (num(a.gpa) < num(b.gpa) ? -1 : 1));
  if (mode === 'exact') {
    expect(actual.length, `${where}: row count\nactual ${JSON.stringify(actual)}`).toBe(sorted.length);
    sorted.forEach((e, i) => expect(rowDiffers(e, actual[i]), `${where}: row ${i}\nexpected ${JSON.stringify(e)}\nactual ${JSON.stringify(actual[i])}`).toBe(false));
  } else {
    for (const e of sorted) expect(actual.some((a) => !rowDiffers(e, a)), `${where}: missing ${JSON.stringify(e)} in ${JSON.stringify(actual)}`).toBe(true);
  }
}

const leafTotal = (roots: RootView[]): number => roots.reduce((n, x) => n + x.counts['4K'] + x.counts['2M'] + x.counts['1G'], 0);

const roleKey = (r: { level: number; smm: boolean | number; guestMode?: boolean; guest_mode?: number; adDisabled?: boolean; ad_disabled?: number; mirror?: boolean; is_mirror?: number }): string =>
  [r.level, Number(r.smm), Number(r.guestMode ?? r.guest_mode), Number(r.adDisabled ?? r.ad_disabled), Number(r.mirror ?? r.is_mirror)].join('/');

/** Run one scenario on one kernel version and host variant; every mismatch fails the test. */
export async function runScenario(driver: Driver, s: Scenario, kernel: KernelVersion, when: Json): Promise<void> {
  const d = s.data;
  const imported = importScenario(d, when);
  await driver.createVm({ ...imported.config, name: `${d.id}-${kernel}`, kernel });
  const stepOf = (origin: string): Json | undefined => {
    const m = /^steps\[(\d+)\]$/.exec(origin);
    return m ? d.steps[Number(m[1])] : undefined;
  };
  // One scenario step may be several operations (a guest access per page): new_mappings
  // is counted across all of them.
  let leavesBefore = 0;
  for (const [k, op] of imported.ops.entries()) {
    const origin = imported.origins[k]!;
    const newMappings = stepOf(origin)?.op === 'guest_access' ? stepOf(origin)?.expect?.new_mappings : undefined;
    if (newMappings !== undefined && origin !== imported.origins[k - 1]) leavesBefore = leafTotal(await driver.roots());
    const result = await driver.apply(op);
    expect(compare(imported.expectations[k] ?? null, result), `${d.id} ${origin} (${op.op})`).toEqual([]);
    if (newMappings !== undefined && origin !== imported.origins[k + 1])
      expect(leafTotal(await driver.roots()) - leavesBefore, `${d.id} ${origin}: new mappings`).toBe(newMappings);
  }
  // KVM_CHECK_EXTENSION has no operation (the import skips it); its answer never changes for a VM.
  for (const [i, step] of (d.steps ?? []).entries()) {
    if (step.op === 'check_extension' && step.expect) expect(await driver.capability(), `${d.id} steps[${i}]`).toBe(Number(step.expect.value ?? step.expect.ret));
  }

  // The final state describes the scenario's own host; a variant checks it only if it has an alternate.
  const baseFinal = d.expected_final_state;
  const variant = Object.keys(when).length > 0;
  const alt = baseFinal?.alternate;
  const final = !variant ? baseFinal : alt && JSON.stringify(alt.when) === JSON.stringify(when) ? { ...baseFinal, ...alt } : undefined;
  if (!final?.roots) return;
  const roots = await driver.roots();
  expect(roots.map(roleKey).sort(), `${d.id}: final roots`).toEqual(final.roots.map((r: Json) => roleKey(r.role)).sort());
  const mode = d.mappings_assert_mode === 'includes' ? 'includes' : 'exact';
  for (const er of final.roots) {
    const actual = roots.find((r) => roleKey(r) === roleKey(er.role))!;
    expect(actual.addressSpace, `${d.id}: root ${er.id} address space`).toBe(er.role.as_id ?? Number(er.role.smm));
    const rows = await driver.mappings(actual.id);
    expectRows(rows, (final.mappings ?? []).filter((m: Json) => m.root === er.id), mode, `${d.id}: final mappings of ${er.id}`);
  }
}

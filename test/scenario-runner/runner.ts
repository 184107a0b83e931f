// A generic runner for scenario files in the neutral format (test/scenarios/README.md). It
// knows the format, not the scenarios: a new JSON file runs without new code. The same
// runner drives the engine directly and the HTTP service, through the Driver interface.
// Steps become operations through the product's import (src/labs/scenario-io.ts, or
// src/labs/arch-scenario.ts for a file with `arch` arm64/s390, which `POST /v1/vms/import`
// uses), but every outcome is judged by the runner's own reading of
// the format (./outcome.ts), which imports nothing from src/.

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { KERNEL_VERSIONS, type KernelVersion, type MappingRow, type Operation, type RootView, type VmConfigInput } from '../../src/sim/index.js';
import { importArchScenario } from '../../src/labs/arch-scenario.js';
import { importScenario } from '../../src/labs/scenario-io.js';
import { expectationOf, mappingDiffs, RootLabels, stepDiffs } from './outcome.js';

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

/** Every scenario file vendored under test/scenarios/ (and only those: a test id runs the same files everywhere). */
export function loadScenarios(): Scenario[] {
  const byId = new Map<string, Scenario>();
  const readDir = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) readDir(path);
      else if (entry.name.endsWith('.json')) {
        const data = JSON.parse(readFileSync(path, 'utf8')) as Json;
        const dup = byId.get(data.id);
        if (dup) throw new Error(`scenario id ${data.id} is in both ${dup.file} and ${path}`);
        byId.set(data.id, { file: path, data });
      }
    }
  };
  readDir(REPO_SCENARIOS);
  return [...byId.values()].sort((a, b) => String(a.data.id).localeCompare(String(b.data.id)));
}

/** Whether a scenario is an x86 one (no `arch`, or `arch: "x86"`): the x86-only format checks read those. */
export const isX86Scenario = (s: Scenario): boolean => (s.data.arch ?? 'x86') === 'x86';

/**
 * The kernel versions a scenario holds for (kernel.min .. kernel.max), as far as the engine
 * supports. An x86 file runs up to 6.18 (6.19-7.4 answer as 6.18: test/sim/kernel-axis-x86.test.ts);
 * an arm64/s390 one, whose kernels are the 7.x ones, to the newest when max is null.
 */
export function scenarioKernels(s: Scenario): KernelVersion[] {
  const min = s.data.kernel?.min ?? '6.18';
  const max = s.data.kernel?.max ?? (isX86Scenario(s) ? '6.18' : KERNEL_VERSIONS.at(-1)!);
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

/** Leaves of every size (an arm64/s390 root counts its own sizes; tables and MMIO SPTEs are not leaves of RAM). */
const leafTotal = (roots: RootView[]): number =>
  roots.reduce(
    (n, x) => n + Object.entries(x.counts as Record<string, number>).reduce((m, [k, v]) => (k === 'tables' || k === 'mmio' ? m : m + v), 0),
    0,
  );

/** A root's role as a key: x86 roles, plus an arm64/s390 root's kind (a neutral arm64/s390 role names its level `levels`). */
const roleKey = (r: {
  level?: number;
  levels?: number;
  kind?: string;
  smm?: boolean | number;
  guestMode?: boolean;
  guest_mode?: number;
  adDisabled?: boolean;
  ad_disabled?: number;
  mirror?: boolean;
  is_mirror?: number;
}): string =>
  [
    r.level ?? r.levels,
    Number(r.smm ?? 0),
    Number(r.guestMode ?? r.guest_mode),
    Number(r.adDisabled ?? r.ad_disabled ?? 0),
    Number(r.mirror ?? r.is_mirror ?? 0),
    r.kind ?? '',
  ].join('/');

/** Fail with every difference spelled out. */
function noDiffs(diffs: string[], where: string): void {
  if (diffs.length > 0) expect.fail(`${where}:\n  ${diffs.join('\n  ')}`);
}

/** Consecutive operations that come from the same place in the file (a guest access is one per page). */
function groups(origins: string[]): { origin: string; from: number; to: number }[] {
  const out: { origin: string; from: number; to: number }[] = [];
  origins.forEach((origin, k) => {
    const last = out.at(-1);
    if (last && last.origin === origin) last.to = k + 1;
    else out.push({ origin, from: k, to: k + 1 });
  });
  return out;
}

/** Run one scenario on one kernel version and host variant; every mismatch fails the test. */
export async function runScenario(driver: Driver, s: Scenario, kernel: KernelVersion, when: Json): Promise<void> {
  const d = s.data;
  const steps: Json[] = d.steps ?? [];
  const imported = isX86Scenario(s) ? importScenario(d, when) : importArchScenario(d);
  await driver.createVm({ ...imported.config, name: `${d.id}-${kernel}`, kernel });
  const labels = new RootLabels();
  const judged = new Set<number>();
  const ops = [...imported.operations()];
  for (const { origin, from, to } of groups(ops.map((o) => o.origin))) {
    const index = /^steps\[(\d+)\]$/.exec(origin)?.[1];
    const step = index === undefined ? undefined : steps[Number(index)];
    const want = step ? expectationOf(step, when, kernel) : null;
    const leavesBefore = want?.new_mappings !== undefined ? leafTotal(await driver.roots()) : 0;
    const results: Json[] = [];
    for (const { op } of ops.slice(from, to)) results.push(await driver.apply(op as Operation));
    const fresh = labels.observe(results);
    const where = `${d.id} ${origin}`;
    if (!step) {
      // The VM's set-up (memslots[], memory_attributes[], vm.finalized) is the state the file
      // describes: each of its ioctls succeeds.
      for (const r of results) if ('ret' in r) expect(r.ret, `${where}: set-up ioctl`).toBe(0);
      continue;
    }
    if (!want) continue;
    judged.add(Number(index));
    noDiffs(stepDiffs(want, results, labels, fresh), `${where} (${step.op})`);
    if (want.new_mappings !== undefined) expect(leafTotal(await driver.roots()) - leavesBefore, `${where}: new mappings`).toBe(want.new_mappings);
    for (const set of want.accessed_set ?? []) {
      const rootId = labels.idOf(set.root) ?? results.find((r) => r.root)?.root?.id;
      expect(rootId, `${where}: accessed_set root ${set.root}`).toBeTypeOf('string');
      const rows = await driver.mappings(rootId!);
      noDiffs(mappingDiffs('accessed_set', [{ ...set, kind: 'ram', accessed: true }], rows as unknown as Json[], 'includes'), where);
    }
  }
  // KVM_CHECK_EXTENSION has no operation (the import skips it); its answer never changes for a VM.
  for (const [i, step] of steps.entries()) {
    if (step.op === 'check_extension') {
      if (step.expect) expect(await driver.capability(), `${d.id} steps[${i}]`).toBe(Number(step.expect.value ?? step.expect.ret));
    } else if (expectationOf(step, when, kernel) && !judged.has(i)) {
      expect.fail(`${d.id} steps[${i}] (${step.op}) states an outcome but no operation ran for it`);
    }
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
    expect(actual.addressSpace, `${d.id}: root ${er.id} address space`).toBe(er.role.as_id ?? Number(er.role.smm ?? 0));
    const bound = labels.idOf(er.id);
    if (bound !== undefined) expect(actual.id, `${d.id}: root ${er.id} is the root the steps called ${er.id}`).toBe(bound);
    const rows = await driver.mappings(actual.id);
    const want = (final.mappings ?? []).filter((m: Json) => m.root === er.id);
    noDiffs(mappingDiffs(`final mappings of ${er.id} (${mode})`, want, rows as unknown as Json[], mode), d.id);
  }
}

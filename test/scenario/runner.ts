// A generic runner for scenario files in the neutral format of shared/spec/examples
// (FORMAT.md). It knows the format, not the scenarios: a new JSON file runs without
// new code. The same runner drives the engine directly and the HTTP service, through
// the Driver interface.

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
import { hostFromNeutral, memslotFromNeutral } from '../../src/labs/scenario-format.js';

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
const sameHex = (a: unknown, b: unknown): boolean => num(a) === num(b);
const errnoOf = (v: unknown): string | null => (v === undefined || v === null || v === 0 ? null : String(v).replace(/^-/, ''));
const ret = (v: unknown): number | string => (typeof v === 'string' ? v.replace(/^-/, '') : (v as number));

const memslotOp = (m: Json): Operation => ({ op: 'set_memslot', addressSpace: m.as_id ?? 0, slot: m.slot, region: memslotFromNeutral(m) });

const attributesOp = (a: Json): Operation => ({
  op: 'set_memory_attributes',
  address: a.gpa,
  size: a.size,
  private: a.attributes === 'PRIVATE',
});

const modePatch = (x: Json): Record<string, unknown> => {
  const p: Record<string, unknown> = {};
  if (x.maxphyaddr !== undefined) p.maxPhysAddr = x.maxphyaddr;
  if (x.smm !== undefined) p.smm = x.smm;
  if (x.guest_mode !== undefined) p.guestMode = x.guest_mode;
  if (x.l1_uses_tdp_for_l2 !== undefined && x.l1_uses_tdp_for_l2 !== null) p.nestedTdp = x.l1_uses_tdp_for_l2;
  return p;
};

/** Does an actual mapping row satisfy an expected record (fields the record names)? */
function rowMatches(actual: MappingRow, e: Json): boolean {
  if (!sameHex(actual.gpa, e.gpa) || actual.level !== e.level || actual.count !== e.count) return false;
  if ((e.kind ?? 'ram') !== actual.kind) return false;
  for (const k of ['private', 'writable', 'dirty', 'accessed', 'executable'] as const) {
    if (e[k] !== undefined && actual.kind === 'ram' && actual[k] !== e[k]) return false;
  }
  return true;
}

function expectRows(actual: MappingRow[], expected: Json[], mode: 'exact' | 'includes', where: string): void {
  const sorted = [...expected].sort((a, b) => (num(a.gpa) < num(b.gpa) ? -1 : 1));
  if (mode === 'exact') {
    expect(actual.length, `${where}: row count\nactual ${JSON.stringify(actual)}`).toBe(sorted.length);
    sorted.forEach((e, i) => expect(rowMatches(actual[i]!, e), `${where}: row ${i}\nexpected ${JSON.stringify(e)}\nactual ${JSON.stringify(actual[i])}`).toBe(true));
  } else {
    for (const e of sorted) expect(actual.some((a) => rowMatches(a, e)), `${where}: missing ${JSON.stringify(e)} in ${JSON.stringify(actual)}`).toBe(true);
  }
}

/** Apply an `alternate` whose `when` equals this variant's host override. */
function expectationFor(step: Json, when: Json): Json | undefined {
  const base = step.expect;
  if (!base) return undefined;
  if (base.alternate && JSON.stringify(base.alternate.when) === JSON.stringify(when)) return { ...base, ...base.alternate };
  return base;
}

const roleKey = (r: { level: number; smm: boolean | number; guestMode?: boolean; guest_mode?: number; adDisabled?: boolean; ad_disabled?: number; mirror?: boolean; is_mirror?: number }): string =>
  [r.level, Number(r.smm), Number(r.guestMode ?? r.guest_mode), Number(r.adDisabled ?? r.ad_disabled), Number(r.mirror ?? r.is_mirror)].join('/');

/** Run one scenario on one kernel version and host variant; every mismatch fails the test. */
export async function runScenario(driver: Driver, s: Scenario, kernel: KernelVersion, when: Json): Promise<void> {
  const d = s.data;
  await driver.createVm({
    name: `${d.id}-${kernel}`,
    type: d.vm?.type ?? 'default',
    host: hostFromNeutral(d.host ?? {}, when),
    kernel,
    prefaultPolicy: d.vm?.prefault_policy ?? 'upstream',
  });
  for (const m of d.memslots ?? []) expect((await driver.apply(memslotOp(m))).ret, `memslot ${m.slot}`).toBe(0);
  for (const a of d.memory_attributes ?? []) expect((await driver.apply(attributesOp(a))).ret).toBe(0);
  for (const v of d.vcpus ?? []) await driver.apply({ op: 'create_vcpu', vcpu: { id: v.id, ...modePatch(v) } });
  if (d.vm?.finalized) expect((await driver.apply({ op: 'finalize' })).ret).toBe(0);

  for (const [i, step] of (d.steps ?? []).entries()) {
    const where = `${d.id} step ${i} (${step.op})`;
    const exp = expectationFor(step, when);
    switch (step.op) {
      case 'pre_fault': {
        const r = (await driver.apply({
          op: 'pre_fault',
          vcpuId: step.vcpu,
          gpa: String(step.gpa),
          size: String(step.size),
          flags: String(step.flags ?? 0),
          ...(step.padding ? { padding: step.padding.map(String) } : {}),
          inject: { signalPending: step.signal_pending ?? false, signalAfterIterations: step.signal_after_iterations ?? null },
        })) as Json;
        if (!exp) break;
        expect(ret(r.errno ?? r.ret), `${where}: ret`).toBe(ret(exp.ret));
        if (exp.gpa_out !== undefined) expect(sameHex(r.range.gpa, exp.gpa_out), `${where}: gpa_out ${r.range.gpa}`).toBe(true);
        if (exp.size_out !== undefined) expect(sameHex(r.range.size, exp.size_out), `${where}: size_out ${r.range.size}`).toBe(true);
        if (exp.iterations) {
          expect(r.iterations.length, `${where}: iteration rows ${JSON.stringify(r.iterations)}`).toBe(exp.iterations.length);
          exp.iterations.forEach((e: Json, k: number) => {
            const a = r.iterations[k];
            expect(sameHex(a.gpa, e.gpa), `${where}: iteration ${k} gpa`).toBe(true);
            expect(a.result, `${where}: iteration ${k} result`).toBe(e.result);
            expect(a.count, `${where}: iteration ${k} count`).toBe(e.count ?? 1);
            if (e.level !== undefined) expect(a.level, `${where}: iteration ${k} level`).toBe(e.level);
            if (e.consumed !== undefined) expect(sameHex(a.consumed, e.consumed), `${where}: iteration ${k} consumed`).toBe(true);
            expect(a.errno, `${where}: iteration ${k} errno`).toBe(errnoOf(e.errno));
          });
        }
        if (exp.mappings_added) expectRows(r.mapped, exp.mappings_added, 'exact', `${where}: mapped`);
        break;
      }
      case 'guest_access': {
        const before = await driver.roots();
        const total = (roots: RootView[]): number => roots.reduce((n, x) => n + x.counts['4K'] + x.counts['2M'] + x.counts['1G'], 0);
        const pages = Number(num(step.size ?? '0x1000') >> 12n);
        for (let p = 0; p < pages; p++) {
          const gpa = '0x' + (num(step.gpa) + BigInt(p) * 4096n).toString(16);
          const r = (await driver.apply({ op: 'access', vcpuId: step.vcpu, gpa, kind: step.access ?? 'read' })) as Json;
          expect(r.ret, `${where}: access ${gpa}`).toBe(0);
        }
        if (exp?.new_mappings !== undefined) expect(total(await driver.roots()) - total(before), `${where}: new mappings`).toBe(exp.new_mappings);
        break;
      }
      case 'set_vcpu_mode':
        await driver.apply({ op: 'set_vcpu_mode', vcpuId: step.vcpu, patch: modePatch(step) });
        break;
      case 'finalize_vm':
        await driver.apply({ op: 'finalize' });
        break;
      case 'check_extension':
        if (exp) expect(await driver.capability(), where).toBe(Number(exp.value ?? exp.ret));
        break;
      case 'create_memslot':
        await driver.apply(memslotOp(step.memslot ?? step));
        break;
      case 'delete_memslot':
        await driver.apply({ op: 'delete_memslot', addressSpace: step.as_id ?? 0, slot: step.slot });
        break;
      case 'set_memory_attributes':
        await driver.apply(attributesOp(step));
        break;
      default:
        throw new Error(`${where}: the runner does not know step op "${step.op}"`);
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
    expect(actual.addressSpace, `${d.id}: root ${er.id} address space`).toBe(er.role.as_id ?? Number(er.role.smm));
    const rows = await driver.mappings(actual.id);
    expectRows(rows, (final.mappings ?? []).filter((m: Json) => m.root === er.id), mode, `${d.id}: final mappings of ${er.id}`);
  }
}

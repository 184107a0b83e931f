// Export a VM's operation log as a scenario in the neutral format (docs/scenario-format.md),
// whose steps carry the observed outcomes as `expect`, and import such a file back into
// engine operations plus the expectations to compare a replay against.
import {
  hex,
  KERNEL_VERSIONS,
  withVmDefaults,
  type KernelVersion,
  type MappingRow,
  type Operation,
  type OperationResult,
  type PreFaultResult,
  type RootView,
  type AccessResult,
  type Vm,
  type VmConfig,
  type VmConfigInput,
} from '../sim/index.js';
import {
  accessOperation,
  createVcpuOperation,
  deleteMemslotOperation,
  finalizeOperation,
  markDeadOperation,
  preFaultOperation,
  setMemoryAttributesOperation,
  setMemslotOperation,
  setVcpuModeOperation,
} from '../operations/requests.js';
import { MAX_MAPPINGS_LIMIT } from '../sim/vm.js';
import { sameValue } from './match.js';
import {
  hostFromNeutral,
  hostToNeutral,
  iterationToNeutral,
  memslotFromNeutral,
  memslotToNeutral,
  modeFromNeutral,
  modeToNeutral,
  archBitsDiffer,
  retToNeutral,
  roleToNeutral,
  rowToNeutral,
  sortByGpa,
  vcpuToNeutral,
  type Json,
  type ScenarioFile,
} from './scenario-format.js';
import type { LoggedOperation } from './lab-types.js';

/** Every root of a VM and every leaf row of each (what the engine host's finalState query answers). */
export interface FinalState {
  roots: RootView[];
  /** Per root id, every leaf row in gpa order. */
  mappings: Record<string, MappingRow[]>;
}

export interface ExportOptions {
  id?: string;
  description?: string;
  /** The VM's final state: adds `expected_final_state` (every root and leaf, exact). */
  finalState?: FinalState;
}

/** A guest_access step spans whole 4 KiB pages; each page is one access operation. */
const PAGE_BYTES = 0x1000n;

/** Root ids are engine-internal; scenarios call them R0, R1, ... in order of appearance. */
export class RootLabels {
  private readonly labels = new Map<string, string>();
  label(id: string): { label: string; fresh: boolean } {
    const known = this.labels.get(id);
    if (known) return { label: known, fresh: false };
    const label = `R${this.labels.size}`;
    this.labels.set(id, label);
    return { label, fresh: true };
  }
}

function allRows(vm: Vm, rootId: string): MappingRow[] {
  const rows: MappingRow[] = [];
  let cursor: string | undefined;
  do {
    const page = vm.mappings(rootId, { limit: MAX_MAPPINGS_LIMIT, ...(cursor ? { cursor } : {}) });
    rows.push(...page.mappings);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return rows;
}

/** A VM's final state, read from the engine VM. */
export function finalStateOf(vm: Vm): FinalState {
  const roots = vm.roots();
  return { roots, mappings: Object.fromEntries(roots.map((r) => [r.id, allRows(vm, r.id)])) };
}

/** A step's `ret`, with the kernel's reason when it failed (not compared on replay). */
const retExpect = (r: { ret: number; errno: string | null; reason?: string }): Json => ({
  ret: retToNeutral(r),
  ...(r.reason ? { reason: r.reason } : {}),
});

function stepFor(op: Operation, result: unknown, roots: RootLabels): Json | null {
  const r = result as { ret: number; errno: string | null; reason?: string } & Json;
  switch (op.op) {
    case 'create_vcpu':
      return null; // hoisted into vcpus[]
    case 'set_vcpu_mode':
      return { op: 'set_vcpu_mode', vcpu: op.vcpuId, ...modeToNeutral(op.patch) };
    case 'set_memslot':
      return { op: 'create_memslot', memslot: memslotToNeutral(op.addressSpace, op.slot, r?.memslot ?? op.region), expect: retExpect(r) };
    case 'delete_memslot':
      return { op: 'delete_memslot', slot: op.slot, as_id: op.addressSpace, expect: retExpect(r) };
    case 'set_memory_attributes':
      return { op: 'set_memory_attributes', gpa: op.address, size: op.size, attributes: op.private ? 'PRIVATE' : 'SHARED', expect: retExpect(r) };
    case 'finalize':
      return { op: 'finalize_vm', expect: retExpect(r) };
    case 'mark_dead':
      return { op: 'mark_dead', expect: retExpect(r) };
    case 'pre_fault': {
      const pf = result as PreFaultResult;
      const root = pf.root ? roots.label(pf.root.id) : undefined;
      return {
        op: 'pre_fault',
        vcpu: op.vcpuId,
        gpa: op.gpa,
        size: op.size,
        flags: op.flags,
        ...(op.padding ? { padding: op.padding } : {}),
        ...(op.inject?.signalPending ? { signal_pending: true } : {}),
        ...(op.inject?.signalAfterIterations != null ? { signal_after_iterations: op.inject.signalAfterIterations } : {}),
        ...(op.inject?.memslotBeingDeleted
          ? { memslot_being_deleted: { as_id: op.inject.memslotBeingDeleted.addressSpace, slot: op.inject.memslotBeingDeleted.slot } }
          : {}),
        ...(op.inject?.invalidationRaces !== undefined ? { invalidation_races: op.inject.invalidationRaces } : {}),
        expect: {
          ...retExpect(pf),
          gpa_out: pf.range.gpa,
          size_out: pf.range.size,
          iterations: pf.iterations.map(iterationToNeutral),
          mappings_added: sortByGpa(pf.mapped.map((m) => rowToNeutral(m, root?.label))),
          roots_created: root?.fresh ? [root.label] : [],
          ...(pf.note ? { note: pf.note } : {}),
        },
      };
    }
    case 'access': {
      const ac = result as AccessResult;
      const root = ac.root ? roots.label(ac.root.id) : undefined;
      return {
        op: 'guest_access',
        vcpu: op.vcpuId,
        gpa: op.gpa,
        size: '0x1000',
        access: op.kind,
        expect: { ...retExpect(ac), exit: ac.exit, mappings: sortByGpa(ac.mapped.map((m) => rowToNeutral(m, root?.label))) },
      };
    }
  }
}

/** A VM's config and operation log as a neutral scenario that test/scenario-runner/runner.ts can run. */
export function exportScenario(
  vmConfig: VmConfig | VmConfigInput,
  log: Pick<LoggedOperation, 'op' | 'result'>[],
  options: ExportOptions = {},
): ScenarioFile {
  const config = withVmDefaults(vmConfig);
  const roots = new RootLabels();
  const vcpus = log
    .filter((e) => e.op.op === 'create_vcpu')
    .map((e) => vcpuToNeutral((e.result as { id?: number })?.id !== undefined ? (e.result as Json) : (e.op as Json).vcpu));
  const steps = log.map((e) => stepFor(e.op, e.result, roots)).filter((s): s is Json => s !== null);
  const scenario: ScenarioFile = {
    id: options.id ?? `export-${config.name}`,
    name: config.name,
    description:
      options.description ?? `Operation log of VM ${config.name}, exported by prefault-lab; every expect is the outcome prefault-lab observed.`,
    kernel: { min: config.kernel, max: config.kernel },
    host: hostToNeutral(config.host),
    vm: {
      type: config.type,
      finalized: config.type === 'sev_snp' || config.type === 'tdx' ? false : null,
      quirks_disabled: [...(config.quirksDisabled ?? [])],
      dead: false,
      prefault_policy: config.prefaultPolicy,
      ...(config.tdxGpaw !== undefined ? { tdx_gpaw: config.tdxGpaw } : {}),
    },
    memslots: [],
    memory_attributes: [],
    vcpus,
    steps,
  };
  if (options.finalState) {
    const { roots: live, mappings } = options.finalState;
    scenario.expected_final_state = {
      roots: live.map((r) => ({ id: roots.label(r.id).label, role: roleToNeutral(r) })),
      mappings: live.flatMap((r) => (mappings[r.id] ?? []).map((m) => rowToNeutral(m, roots.label(r.id).label))),
    };
    scenario.mappings_assert_mode = 'exact';
  }
  scenario.source = ['prefault-lab export (observed, not derived from kernel source)'];
  return scenario;
}

/** One engine operation of an imported scenario, with the step's `expect` (neutral format; null: none) and where it came from ("memslots[0]", "steps[3]"). */
interface ImportedOperation {
  op: Operation;
  expect: Json | null;
  origin: string;
}

export interface ImportedScenario {
  config: VmConfigInput;
  /** How many operations `operations()` yields, counted before any of them is built. */
  count: number;
  /** The operations in order, each built as it is asked for (a guest access is one per 4 KiB page). */
  operations(): Generator<ImportedOperation>;
  /** Steps with no engine operation (check_extension), kept for the report. */
  skipped: string[];
}

/** How far one import may expand: each 4 KiB page of a guest_access step is an operation, and every operation is logged. */
export interface ImportCaps {
  /** Pages one guest_access step may cover. */
  accessPagesPerStep: number;
  /** Operations one import may apply, all items and steps together. */
  operations: number;
}

export const DEFAULT_IMPORT_CAPS: ImportCaps = { accessPagesPerStep: 4096, operations: 10_000 };

/** A scenario the import refuses; `field` names the offending item ("steps[3].size"), when there is one. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** One item of the file: a single operation, or a guest_access run of `pages` accesses. */
type Planned =
  | { origin: string; expect: Json | null; op: Operation }
  | { origin: string; expect: Json | null; access: { vcpuId: number; gpa: bigint; pages: number; kind: 'read' | 'write' | 'exec' } };

function expectationFor(step: Json, when: Json): Json | null {
  const base = step.expect_by_version ? null : step.expect;
  if (!base) return null;
  const { alternate, ...rest } = base;
  return alternate && JSON.stringify(alternate.when) === JSON.stringify(when) ? { ...rest, ...alternate, when: undefined } : rest;
}

const U64_LIMIT = 1n << 64n;

/** A guest_access step's pages, checked against the cap before any is built. */
function accessRun(s: Json, where: string, caps: ImportCaps): { gpa: bigint; pages: number } {
  const gpa = BigInt(s.gpa);
  const size = BigInt(s.size ?? PAGE_BYTES);
  const pages = size > 0n ? size / PAGE_BYTES : 0n;
  if (pages > BigInt(caps.accessPagesPerStep))
    throw new ScenarioError(
      `${where}: a guest_access step covers at most ${caps.accessPagesPerStep} pages of 4 KiB (one operation each), this one ${pages}`,
      `${where}.size`,
    );
  if (gpa < 0n || gpa + pages * PAGE_BYTES > U64_LIMIT) throw new ScenarioError(`${where}: gpa + size is not a u64 range`, `${where}.gpa`);
  return { gpa, pages: Number(pages) };
}

/**
 * A neutral scenario as engine operations; `when` picks `alternate` expectations (e.g.
 * {"host.mmio_caching": false}). Every item is checked and counted here, against `caps`;
 * the per-page accesses of guest_access steps are built only as operations() reaches them.
 */
export function importScenario(json: Json, when: Json = {}, caps: ImportCaps = DEFAULT_IMPORT_CAPS): ImportedScenario {
  if (!json || typeof json !== 'object' || !Array.isArray(json.steps)) throw new Error('a scenario needs a steps[] array');
  const kernel = [json.kernel?.max, json.kernel?.min, '6.18'].find((k) => KERNEL_VERSIONS.includes(k)) as KernelVersion;
  const config: VmConfigInput = {
    name: String(json.name ?? json.id ?? 'imported').slice(0, 100) || 'imported',
    type: json.vm?.type ?? 'default',
    host: hostFromNeutral(json.host ?? {}, when),
    kernel,
    prefaultPolicy: json.vm?.prefault_policy ?? 'upstream',
    // KVM_X86_QUIRK_* names, with or without the prefix.
    quirksDisabled: ((json.vm?.quirks_disabled ?? []) as string[]).map((q) =>
      String(q).replace(/^KVM_X86_QUIRK_/, ''),
    ) as VmConfigInput['quirksDisabled'],
    ...(json.vm?.tdx_gpaw !== undefined ? { tdxGpaw: json.vm.tdx_gpaw } : {}),
  };
  const plan: Planned[] = [];
  const skipped: string[] = [];
  let count = 0;
  const push = (op: Operation, expect: Json | null, origin: string): void => {
    plan.push({ op, expect, origin });
    count += 1;
  };
  const memslot = (m: Json): Operation => setMemslotOperation(m.as_id ?? 0, m.slot, memslotFromNeutral(m));
  const attributes = (a: Json): Operation => setMemoryAttributesOperation({ address: a.gpa, size: a.size, private: a.attributes === 'PRIVATE' });
  (json.memslots ?? []).forEach((m: Json, i: number) => push(memslot(m), { ret: 0 }, `memslots[${i}]`));
  (json.memory_attributes ?? []).forEach((a: Json, i: number) => push(attributes(a), { ret: 0 }, `memory_attributes[${i}]`));
  (json.vcpus ?? []).forEach((v: Json, i: number) => push(createVcpuOperation({ id: v.id, ...modeFromNeutral(v) }), null, `vcpus[${i}]`));
  if (json.vm?.finalized) push(finalizeOperation(), { ret: 0 }, 'vm.finalized');
  if (json.vm?.dead) push(markDeadOperation(), { ret: 0 }, 'vm.dead');
  if (count > caps.operations)
    throw new ScenarioError(
      `the scenario's memslots, attributes and vCPUs alone are ${count} operations; an import applies at most ${caps.operations}`,
    );
  // A memslot in state invalid_deleting is KVM_MEMSLOT_INVALID during every pre-fault step.
  const deleting = (json.memslots ?? []).find((m: Json) => m.state === 'invalid_deleting');
  const slotRef = (m: Json) => ({ addressSpace: m.as_id ?? 0, slot: m.slot });
  (json.steps as Json[]).forEach((s, i) => {
    const where = `steps[${i}]`;
    const expect = expectationFor(s, when);
    switch (s.op) {
      case 'pre_fault':
        push(
          preFaultOperation(s.vcpu, {
            gpa: s.gpa,
            size: s.size,
            flags: s.flags ?? 0,
            ...(s.padding ? { padding: s.padding } : {}),
            inject: {
              signalPending: s.signal_pending ?? false,
              signalAfterIterations: s.signal_after_iterations ?? null,
              ...((s.memslot_being_deleted ?? deleting) ? { memslotBeingDeleted: slotRef(s.memslot_being_deleted ?? deleting) } : {}),
              ...(s.invalidation_races !== undefined ? { invalidationRaces: s.invalidation_races } : {}),
            },
          }),
          expect,
          where,
        );
        break;
      case 'guest_access': {
        const { gpa, pages } = accessRun(s, where, caps);
        // The step's expect applies when it is one access; each page of a longer run is expected to succeed.
        plan.push({
          origin: where,
          expect: pages === 1 && expect?.ret !== undefined ? expect : { ret: 0 },
          access: { vcpuId: s.vcpu, gpa, pages, kind: s.access ?? 'read' },
        });
        count += pages;
        break;
      }
      case 'set_vcpu_mode':
        push(setVcpuModeOperation(s.vcpu, modeFromNeutral(s)), null, where);
        break;
      case 'finalize_vm':
        push(finalizeOperation(), expect, where);
        break;
      case 'mark_dead':
        push(markDeadOperation(), expect, where);
        break;
      case 'create_memslot': {
        push(memslot(s.memslot ?? s), expect, where);
        break;
      }
      case 'delete_memslot':
        push(deleteMemslotOperation(s.as_id ?? 0, s.slot), expect, where);
        break;
      case 'set_memory_attributes':
        push(attributes(s), expect, where);
        break;
      case 'check_extension':
        skipped.push(`${where}: check_extension (read GET /capabilities instead)`);
        break;
      default:
        throw new Error(`${where}: unknown step op "${String(s.op)}"`);
    }
    if (count > caps.operations)
      throw new ScenarioError(
        `the scenario expands to more than ${caps.operations} operations by ${where} (each memslot, attribute range, vCPU and step is one, a guest_access one per 4 KiB page); an import applies at most ${caps.operations}`,
        where,
      );
  });
  return {
    config,
    count,
    skipped,
    *operations() {
      for (const item of plan) {
        if ('op' in item) {
          yield item;
          continue;
        }
        const { vcpuId, gpa, pages, kind } = item.access;
        for (let p = 0; p < pages; p++)
          yield { op: accessOperation(vcpuId, { gpa: hex(gpa + BigInt(p) * PAGE_BYTES), kind }), expect: item.expect, origin: item.origin };
      }
    },
  };
}

const errnoOf = (v: unknown): string | null => (v === undefined || v === null || v === 0 ? null : String(v).replace(/^-/, ''));

/** Does an actual mapping row fail an expected neutral record (only the fields the record names)? */
function rowDiffers(e: Json, a: MappingRow | undefined): boolean {
  if (!a || !sameValue(e.gpa, a.gpa) || e.level !== a.level || e.count !== a.count || (e.kind ?? 'ram') !== a.kind) return true;
  if (a.kind === 'mmio') return false;
  return (
    (['private', 'writable', 'dirty', 'accessed', 'executable'] as const).some((k) => e[k] !== undefined && e[k] !== a[k]) ||
    archBitsDiffer(e, a as unknown as Json)
  );
}

/** How an actual result differs from a step's neutral `expect`; [] when it matches. */
export function compare(expected: Json | null, actual: OperationResult | Record<string, unknown>): string[] {
  if (!expected) return [];
  const a = actual as Json;
  const diffs: string[] = [];
  const differ = (what: string, e: unknown, got: unknown): void => {
    diffs.push(`${what}: expected ${JSON.stringify(e)}, got ${JSON.stringify(got)}`);
  };
  if (expected.ret !== undefined && errnoOf(expected.ret) !== (a.errno ?? null)) differ('ret', expected.ret, a.ret === 0 ? 0 : `-${a.errno}`);
  if (expected.gpa_out !== undefined && !sameValue(expected.gpa_out, a.range?.gpa)) differ('gpa_out', expected.gpa_out, a.range?.gpa);
  if (expected.size_out !== undefined && !sameValue(expected.size_out, a.range?.size)) differ('size_out', expected.size_out, a.range?.size);
  if (expected.exit !== undefined && expected.exit !== a.exit) differ('exit', expected.exit, a.exit);
  if (Array.isArray(expected.iterations)) {
    const got = (a.iterations ?? []) as Json[];
    if (got.length !== expected.iterations.length) differ('iteration rows', expected.iterations.length, got.length);
    expected.iterations.forEach((e: Json, k: number) => {
      const g = got[k];
      if (!g) return;
      const same =
        sameValue(e.gpa, g.gpa) &&
        e.result === g.result &&
        (e.count ?? 1) === g.count &&
        (e.level === undefined || e.level === g.level) &&
        (e.consumed === undefined || sameValue(e.consumed, g.consumed)) &&
        errnoOf(e.errno) === (g.errno ?? null) &&
        (e.fsc === undefined || e.fsc === g.fsc) &&
        (e.attempts === undefined || e.attempts === g.attempts);
      if (!same) differ(`iteration ${k}`, e, g);
    });
  }
  for (const key of ['mappings_added', 'mappings'] as const) {
    if (!Array.isArray(expected[key])) continue;
    const got = sortByGpa((a.mapped ?? []) as MappingRow[] as unknown as Json[]) as unknown as MappingRow[];
    const want = sortByGpa(expected[key]);
    if (got.length !== want.length) differ(`${key} rows`, want.length, got.length);
    want.forEach((e, k) => {
      if (k < got.length && rowDiffers(e, got[k])) differ(`${key} row ${k}`, e, got[k]);
    });
  }
  return diffs;
}

export interface ReplayReport {
  /** Steps whose outcome differs from the scenario's expectation (or that threw). */
  differing: { index: number; origin: string; op: Operation; differences: string[] }[];
}

/**
 * Apply every imported op through `apply` (the engine, or the service's logged path) and
 * compare. `inFlight`: how many may be applying at once; each is built and handed to
 * `apply` in order (the service's per-VM queue applies them in that order), so the
 * operations held at any time are at most that many.
 */
export async function replayScenario(
  imported: ImportedScenario,
  apply: (op: Operation) => OperationResult | Promise<OperationResult>,
  inFlight = 1,
): Promise<ReplayReport> {
  const report: ReplayReport = { differing: [] };
  const applying: Promise<void>[] = [];
  let index = 0;
  for (const { op, expect, origin } of imported.operations()) {
    const at = index++;
    applying.push(
      Promise.resolve()
        .then(() => apply(op))
        .then(
          (result) => compare(expect, result),
          (e: unknown) => [`refused: ${(e as Error).message}`],
        )
        .then((differences) => {
          if (differences.length > 0) report.differing.push({ index: at, origin, op, differences });
        }),
    );
    if (applying.length >= inFlight) await applying.shift();
  }
  await Promise.all(applying);
  report.differing.sort((a, b) => a.index - b.index);
  return report;
}

// Export and import of arm64 and s390 VMs in the neutral scenario format, with the contract v2
// twins of their fields (api-contract.md "Scenario format"): top-level `arch`, the arch's
// host and vm fields, memslot backing `hugetlb` / `hwpoison`, vCPU `initialized` / `el2` /
// `last_ran_nested`, the `set_vcpu_state` step, `invalidation_races`, iteration `fsc` /
// `attempts`, mapping `arch_bits` (with `dirty: null`) and the root role's geometry. The x86
// format (scenario-io.ts) is untouched: an x86 export has no `arch`.
import type { Operation } from '../sim/index.js';
import {
  createVcpuOperation,
  deleteMemslotOperation,
  markDeadOperation,
  preFaultOperation,
  setMemslotOperation,
  setVcpuModeOperation,
} from '../operations/requests.js';
import { DEFAULT_IMPORT_CAPS, RootLabels, ScenarioError, type FinalState, type ImportCaps, type ImportedScenario } from './scenario-io.js';
import { archBitsToNeutral, memslotFromNeutral, retToNeutral, sortByGpa, type Json, type ScenarioFile } from './scenario-format.js';
import type { LoggedOperation } from './lab-types.js';

type Arch = 'arm64' | 's390';

/** API name -> neutral name of each arch's host and vm fields. */
const HOST_FIELDS: Record<Arch, [string, string][]> = {
  arm64: [
    ['granule', 'granule'],
    ['ipaLimit', 'ipa_limit'],
    ['pkvm', 'pkvm'],
    ['nestedVirt', 'nested_virt'],
    ['fwb', 'fwb'],
    ['cacheDic', 'cache_dic'],
  ],
  s390: [
    ['hpage', 'hpage'],
    ['hpage2g', 'hpage_2g'],
    ['maxStorage', 'max_storage'],
  ],
};
const VM_FIELDS: Record<Arch, [string, string][]> = {
  arm64: [['ipaBits', 'ipa_bits']],
  s390: [
    ['hpage1m', 'hpage_1m'],
    ['hpage2g', 'hpage_2g'],
    ['memLimit', 'mem_limit'],
  ],
};
const ROLE_FIELDS: [string, string][] = [
  ['kind', 'kind'],
  ['level', 'levels'],
  ['startLevel', 'start_level'],
  ['granule', 'granule'],
  ['ipaBits', 'ipa_bits'],
  ['concatenatedTables', 'concatenated_tables'],
  ['asceType', 'asce_type'],
];

/** The fields of `from` named in `pairs`, renamed (index 0 -> 1, or back with reverse). */
function rename(from: Json | undefined, pairs: [string, string][], reverse = false): Json {
  const out: Json = {};
  for (const [api, neutral] of pairs) {
    const [src, dst] = reverse ? [neutral, api] : [api, neutral];
    if (from?.[src] !== undefined) out[dst] = from[src];
  }
  return out;
}

const rowToNeutral = (row: Json, root: string | undefined): Json => ({
  ...(root ? { root } : {}),
  gpa: row.gpa,
  level: row.level,
  count: row.count,
  kind: 'ram',
  private: false,
  writable: row.writable,
  dirty: row.dirty,
  accessed: row.accessed,
  executable: row.executable,
  arch_bits: archBitsToNeutral(row.archBits),
});

const iterationToNeutral = (it: Json): Json => ({
  gpa: it.gpa,
  result: it.result,
  ...(it.level !== null ? { level: it.level } : {}),
  consumed: it.consumed,
  count: it.count,
  ...(it.count > 1 ? { gpa_step: it.consumed } : {}),
  ...(it.errno !== null ? { errno: `-${it.errno}` } : {}),
  ...(it.reason ? { reason: it.reason } : {}),
  ...(it.fsc !== undefined ? { fsc: it.fsc } : {}),
  ...(it.attempts !== undefined ? { attempts: it.attempts } : {}),
});

const retExpect = (r: Json): Json => ({ ret: retToNeutral(r as { ret: number; errno: string | null }), ...(r.reason ? { reason: r.reason } : {}) });

const vcpuToNeutral = (v: Json): Json => ({
  id: v.id,
  ...(v.initialized !== undefined ? { initialized: v.initialized } : {}),
  ...(v.el2 !== undefined ? { el2: v.el2 } : {}),
  ...(v.lastRanNested !== undefined ? { last_ran_nested: v.lastRanNested } : {}),
});

function memslotToNeutral(as: number, slot: number, m: Json): Json {
  return {
    slot,
    as_id: as,
    guest_phys_addr: m.guestPhysAddr,
    size: m.size,
    ...(m.userspaceAddr !== undefined ? { userspace_addr: m.userspaceAddr } : {}),
    flags: ((m.flags ?? []) as string[]).map((f) => f.toUpperCase()),
    ...(m.guestMemfdOffset !== undefined ? { guest_memfd_offset: m.guestMemfdOffset } : {}),
    backing: {
      ...(m.backing?.pageSize !== undefined ? { host_page_size: m.backing.pageSize } : {}),
      ...(m.backing?.hugetlb !== undefined ? { hugetlb: m.backing.hugetlb } : {}),
      ...(m.backing?.hwpoison?.length ? { hwpoison: m.backing.hwpoison } : {}),
      host_pte_writable: m.backing?.writable ?? true,
      mapped: m.backing?.mapped ?? true,
    },
  };
}

function stepFor(op: Operation, result: Json, roots: RootLabels): Json | null {
  switch (op.op) {
    case 'create_vcpu':
      return null; // hoisted into vcpus[]
    case 'set_vcpu_mode': {
      const patch = op.patch as Json;
      return {
        op: 'set_vcpu_state',
        vcpu: op.vcpuId,
        ...rename(patch, [
          ['initialized', 'initialized'],
          ['lastRanNested', 'last_ran_nested'],
        ]),
      };
    }
    case 'set_memslot':
      return { op: 'create_memslot', memslot: memslotToNeutral(op.addressSpace, op.slot, result?.memslot ?? op.region), expect: retExpect(result) };
    case 'delete_memslot':
      return { op: 'delete_memslot', slot: op.slot, as_id: op.addressSpace, expect: retExpect(result) };
    case 'mark_dead':
      return { op: 'mark_dead', expect: retExpect(result) };
    case 'pre_fault': {
      const root = result.root ? roots.label(result.root.id) : undefined;
      const inject = (op.inject ?? {}) as Json;
      return {
        op: 'pre_fault',
        vcpu: op.vcpuId,
        gpa: op.gpa,
        size: op.size,
        flags: op.flags,
        ...(op.padding ? { padding: op.padding } : {}),
        ...(inject.signalPending ? { signal_pending: true } : {}),
        ...(inject.signalAfterIterations != null ? { signal_after_iterations: inject.signalAfterIterations } : {}),
        ...(inject.memslotBeingDeleted
          ? { memslot_being_deleted: { as_id: inject.memslotBeingDeleted.addressSpace, slot: inject.memslotBeingDeleted.slot } }
          : {}),
        ...(inject.invalidationRaces ? { invalidation_races: inject.invalidationRaces } : {}),
        expect: {
          ...retExpect(result),
          gpa_out: result.range.gpa,
          size_out: result.range.size,
          iterations: (result.iterations as Json[]).map(iterationToNeutral),
          mappings_added: sortByGpa((result.mapped as Json[]).map((m) => rowToNeutral(m, root?.label))),
          roots_created: root?.fresh ? [root.label] : [],
        },
      };
    }
    default:
      // finalize, memory attributes and guest accesses are refused on these arches: never logged.
      return null;
  }
}

/** An arm64/s390 VM (its view) and its log as a neutral scenario. */
export function exportArchScenario(view: Json, log: Pick<LoggedOperation, 'op' | 'result'>[], finalState: FinalState): ScenarioFile {
  const arch = view.arch as Arch;
  const roots = new RootLabels();
  const vcpus = log
    .filter((e) => e.op.op === 'create_vcpu')
    .map((e) => vcpuToNeutral((e.result as Json)?.id !== undefined ? (e.result as Json) : (e.op as Json).vcpu));
  const steps = log.map((e) => stepFor(e.op, e.result as Json, roots)).filter((s): s is Json => s !== null);
  const live = finalState.roots as unknown as Json[];
  const mappings = finalState.mappings as unknown as Record<string, Json[]>;
  return {
    id: `export-${view.name}`,
    name: view.name,
    description: `Operation log of ${arch} VM ${view.name}, exported by prefault-lab; every expect is the outcome prefault-lab observed.`,
    arch,
    kernel: { min: view.kernel, max: view.kernel },
    host: rename(view.host, HOST_FIELDS[arch]),
    vm: { type: view.type, ...rename(view[arch], VM_FIELDS[arch]), dead: false },
    memslots: [],
    memory_attributes: [],
    vcpus,
    steps,
    expected_final_state: {
      roots: live.map((r) => ({ id: roots.label(r.id).label, role: { ...rename(r, ROLE_FIELDS), guest_mode: Number(r.guestMode), as_id: 0 } })),
      mappings: live.flatMap((r) => (mappings[r.id] ?? []).map((m) => rowToNeutral(m, roots.label(r.id).label))),
    },
    mappings_assert_mode: 'exact',
    source: ['prefault-lab export (observed, not derived from kernel source)'],
  };
}

/** A neutral arm64/s390 scenario as the VM configuration and the operations to replay (walk steps are reads: skipped). */
export function importArchScenario(json: Json, caps: ImportCaps = DEFAULT_IMPORT_CAPS): ImportedScenario {
  const arch = json.arch as Arch;
  if (!Array.isArray(json.steps)) throw new ScenarioError('a scenario needs a steps[] array', 'steps');
  const config = {
    name: String(json.name ?? json.id ?? 'imported').slice(0, 100) || 'imported',
    arch,
    ...((json.kernel?.max ?? json.kernel?.min) ? { kernel: json.kernel.max ?? json.kernel.min } : {}),
    ...(json.vm?.type !== undefined ? { type: json.vm.type } : {}),
    host: rename(json.host, HOST_FIELDS[arch], true),
    [arch]: rename(json.vm, VM_FIELDS[arch], true),
  };
  const plan: { op: Operation; expect: Json | null; origin: string }[] = [];
  const skipped: string[] = [];
  const push = (op: Operation, expect: Json | null, origin: string): void => {
    plan.push({ op, expect, origin });
    if (plan.length > caps.operations)
      throw new ScenarioError(`the scenario has more than ${caps.operations} operations; an import applies at most ${caps.operations}`, origin);
  };
  const memslot = (m: Json): Operation => setMemslotOperation(m.as_id ?? 0, m.slot, memslotFromNeutral(m) as never);
  const vcpuBody = (v: Json): Json =>
    rename(
      v,
      [
        ['initialized', 'initialized'],
        ['el2', 'el2'],
        ['lastRanNested', 'last_ran_nested'],
      ],
      true,
    );
  (json.memslots ?? []).forEach((m: Json, i: number) => push(memslot(m), { ret: 0 }, `memslots[${i}]`));
  (json.vcpus ?? []).forEach((v: Json, i: number) => push(createVcpuOperation({ id: v.id, ...vcpuBody(v) } as never), null, `vcpus[${i}]`));
  if (json.vm?.dead) push(markDeadOperation(), { ret: 0 }, 'vm.dead');
  (json.steps as Json[]).forEach((s, i) => {
    const where = `steps[${i}]`;
    const expect = s.expect ?? null;
    switch (s.op) {
      case 'pre_fault': {
        const inject = {
          ...(s.signal_pending ? { signalPending: true } : {}),
          ...(s.signal_after_iterations != null ? { signalAfterIterations: s.signal_after_iterations } : {}),
          ...(s.memslot_being_deleted
            ? { memslotBeingDeleted: { addressSpace: s.memslot_being_deleted.as_id ?? 0, slot: s.memslot_being_deleted.slot } }
            : {}),
          ...(s.invalidation_races ? { invalidationRaces: s.invalidation_races } : {}),
        };
        const body = {
          gpa: s.gpa,
          size: s.size,
          flags: s.flags ?? 0,
          ...(s.padding ? { padding: s.padding } : {}),
          ...(Object.keys(inject).length ? { inject } : {}),
        };
        push(preFaultOperation(s.vcpu, body as never), expect, where);
        break;
      }
      case 'set_vcpu_state':
        push(setVcpuModeOperation(s.vcpu, vcpuBody(s) as never), null, where);
        break;
      case 'create_memslot':
        push(memslot(s.memslot ?? s), expect, where);
        break;
      case 'delete_memslot':
        push(deleteMemslotOperation(s.as_id ?? 0, s.slot), expect, where);
        break;
      case 'mark_dead':
        push(markDeadOperation(), expect, where);
        break;
      case 'walk':
      case 'check_extension':
        skipped.push(`${where}: ${String(s.op)} is a read (GET …/walk, GET …/capabilities)`);
        break;
      default:
        throw new ScenarioError(`${where}: step op "${String(s.op)}" is not one an ${arch} VM takes`, `${where}.op`);
    }
  });
  return {
    config: config as unknown as ImportedScenario['config'],
    count: plan.length,
    skipped,
    *operations() {
      yield* plan;
    },
  };
}

// The x86 pre-fault's page run (src/sim/mmu/page-run.ts) must answer exactly as one fault
// per iteration. A property test runs random VMs and random operation sequences on two VMs,
// one with page runs and one without, and compares every answer and the whole state after;
// example tests check the run is taken where it should be (fewer calls of the fault path,
// counted by wrapping kvmTdpPageFault) and left where it must not be. FUZZ_SEED sets the seed
// (fixed by default, so a run is repeatable; fast-check prints the seed and path of a failure).
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as fault from '../../src/sim/mmu/fault.js';
import {
  KERNEL_VERSIONS,
  POLICIES,
  SimError,
  VM_TYPES,
  createVm,
  withVmDefaults,
  type MemslotFlag,
  type TracepointEvent,
  type MemslotSpec,
  type Operation,
  type PreFaultResult,
  type PreFaultInject,
  type Vm,
  type VmConfigInput,
  type VmType,
} from '../../src/sim/index.js';
import { hx } from './helpers.js';

// Every call of the fault path goes through the real one; the counter tells how many iterations faulted.
vi.mock('../../src/sim/mmu/fault.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/sim/mmu/fault.js')>();
  return { ...real, kvmTdpPageFault: vi.fn(real.kvmTdpPageFault) };
});
const faults = vi.mocked(fault.kvmTdpPageFault);
afterEach(() => faults.mockClear());

const P = 0x1000;
/** The window the random slots and calls live in: 1 GiB up, 8 MiB wide (2048 pages, 4 tables of 4K leaves). */
const BASE = 0x40000;
const WINDOW = 2048;
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);

// ---- The random VM ---------------------------------------------------------------------

/** true about once in n draws. */
const oneIn = (n: number): fc.Arbitrary<boolean> => fc.integer({ min: 1, max: n }).map((k) => k === 1);

const configArb = fc
  .record({
    type: fc.constantFrom(...VM_TYPES),
    kernel: fc.constantFrom(...KERNEL_VERSIONS),
    policy: fc.oneof({ weight: 4, arbitrary: fc.constant(POLICIES[0]!) }, fc.constantFrom(...POLICIES)),
    finalized: oneIn(5).map((b) => !b),
    private: fc.boolean(),
    hole: fc.option(fc.record({ page: fc.integer({ min: 0, max: WINDOW - 1 }), pages: fc.integer({ min: 1, max: 600 }) })),
    amd: fc.boolean(),
    tdpMmu: fc.boolean(),
    adBits: fc.boolean(),
    nxHugePages: fc.boolean(),
    oneG: fc.boolean(),
    mmioCaching: fc.boolean(),
    eagerPageSplit: fc.boolean(),
    smallBudget: oneIn(8),
  })
  .map(
    ({
      type,
      kernel,
      policy,
      finalized,
      private: allPrivate,
      hole,
      amd,
      tdpMmu,
      adBits,
      nxHugePages,
      oneG,
      mmioCaching,
      eagerPageSplit,
      smallBudget,
    }) => {
      // Only combinations withVmDefaults accepts: SEV on AMD, TDX on Intel from 6.16, AMD with A/D bits.
      const vendor = type.startsWith('sev') ? 'amd' : type === 'tdx' ? 'intel' : amd ? 'amd' : 'intel';
      const needsTdpMmu = type === 'sw_protected' || type === 'sev_snp' || type === 'tdx';
      const input: VmConfigInput = {
        name: 'page-run',
        type,
        kernel: type === 'tdx' && KERNEL_VERSIONS.indexOf(kernel) < KERNEL_VERSIONS.indexOf('6.16') ? '6.16' : kernel,
        prefaultPolicy: policy,
        host: {
          vendor,
          tdpMmu: tdpMmu || needsTdpMmu,
          adBits: adBits || vendor === 'amd',
          nxHugePages,
          maxHugePageLevel: oneG ? '1G' : '2M',
          mmioCaching: mmioCaching || type === 'tdx',
          eagerPageSplit,
        },
      };
      // A budget of a few tables makes some faults ENOMEM; SNP and TDX pre-fault only once finalized.
      // With private memory, often the whole window starts private (guest_memfd slots then fault privately).
      const privateMem = type === 'sw_protected' || type === 'sev_snp' || type === 'tdx';
      return { input, maxTableBytes: smallBudget ? 12 * P : 1 << 30, finalized, allPrivate: allPrivate && privateMem, hole };
    },
  );

const slotArb = fc.record({
  slot: fc.integer({ min: 0, max: 3 }),
  start: fc.oneof(
    fc.integer({ min: 0, max: WINDOW - 1 }),
    fc.integer({ min: 0, max: WINDOW / 512 - 1 }).map((t) => t * 512),
  ),
  pages: fc.oneof(fc.integer({ min: 1, max: WINDOW }), fc.constantFrom(512, 1024, 2048)),
  hvaSkew: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 600 })),
  readonly: oneIn(6),
  gmem: fc.boolean(),
  logging: oneIn(3),
  pageSize: fc.constantFrom('4K', '4K', '2M', '1G'),
  writable: oneIn(3).map((b) => !b),
  mapped: oneIn(10).map((b) => !b),
  /** Where in the slot a poisoned page is, in thousandths of its size. */
  hwpoison: fc.option(fc.integer({ min: 0, max: 999 }), { freq: 3 }),
});
type SlotArb = typeof slotArb extends fc.Arbitrary<infer T> ? T : never;

/** The VM's first slots (ids 0, 1, 2): one after the other, with or without a gap, from near the window's start. */
const layoutArb = fc
  .array(fc.record({ gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })), slot: slotArb }), { minLength: 1, maxLength: 3 })
  .map((list) => {
    let at = 0;
    return list.map(({ gap, slot }, i) => {
      const laid = { ...slot, slot: i, start: at + gap };
      at = laid.start + laid.pages;
      return laid;
    });
  });

/** The poisoned page's index in the slot (only with s.hwpoison set). */
const poisonedPage = (s: SlotArb): number => Math.floor(((s.hwpoison ?? 0) * s.pages) / 1000);

/**
 * The slot as KVM_SET_USER_MEMORY_REGION2 gets it, with flags the VM type takes
 * (check_memory_region_flags): guest_memfd only with private memory and alone, readonly
 * not with protected state. A refused slot tests little, so few are sent.
 */
function memslotSpec(s: SlotArb, type: VmType): MemslotSpec {
  const gmem = s.gmem && (type === 'sw_protected' || type === 'sev_snp' || type === 'tdx');
  const flags: MemslotFlag[] = [];
  if (s.readonly && !gmem && type !== 'sev_es' && type !== 'sev_snp' && type !== 'tdx') flags.push('readonly');
  if (gmem) flags.push('guest_memfd');
  if (s.logging && !gmem) flags.push('log_dirty_pages');
  const gpa = (BASE + s.start) * P;
  return {
    guestPhysAddr: hx(gpa),
    size: hx(s.pages * P),
    userspaceAddr: hx(2 ** 40 + gpa + s.hvaSkew * P),
    flags,
    ...(gmem && { guestMemfdOffset: hx(s.start * P) }),
    backing: {
      pageSize: s.pageSize as '4K' | '2M' | '1G',
      writable: s.writable,
      mapped: s.mapped,
      ...(s.hwpoison !== null && { hwpoison: [hx(gpa + poisonedPage(s) * P)] }),
    },
  };
}

// ---- The random operations -------------------------------------------------------------

/**
 * A page in the window: anywhere, near a table's start, or up to a table before one of
 * `edges` (the pages where the first slots and the shared hole start and end), so that calls
 * often cross a slot's end or an attribute change in the middle of a table.
 */
const pageArbOf = (edges: number[]): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.integer({ min: -8, max: WINDOW }) },
    fc.record({ t: fc.integer({ min: 0, max: WINDOW / 512 - 1 }), d: fc.integer({ min: -3, max: 3 }) }).map(({ t, d }) => t * 512 + d),
    {
      weight: 3,
      // From the edge's own table, at or before the edge.
      arbitrary: fc.record({ e: fc.constantFrom(...edges), k: fc.integer({ min: 0, max: 511 }) }).map(({ e, k }) => e - (k % ((e % 512) + 1))),
    },
    fc.record({ e: fc.constantFrom(...edges), d: fc.integer({ min: -520, max: 2 }) }).map(({ e, d }) => e + d),
  );
const injectArb: fc.Arbitrary<PreFaultInject> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 700 }).map((n) => ({ signalAfterIterations: n })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((slot) => ({ memslotBeingDeleted: { addressSpace: 0, slot } })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((n) => ({ invalidationRaces: n })) },
);

/** A set_memslot is made when the VM type is known (memslotSpec); a toggle against the slots the VM has then. */
type Step = Operation | { newSlot: SlotArb } | { toggle: number } | { traced: Operation };

const opArbOf = (pageArb: fc.Arbitrary<number>): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      weight: 10,
      arbitrary: fc
        .record({
          page: pageArb,
          pages: fc.oneof(fc.integer({ min: 1, max: WINDOW }), fc.integer({ min: 1, max: 8 })),
          inject: injectArb,
          traced: oneIn(6),
        })
        .map(({ page, pages, inject, traced }) => {
          const op: Operation = { op: 'pre_fault', vcpuId: 0, gpa: hx(Math.max(0, BASE + page) * P), size: hx(pages * P), flags: '0x0', inject };
          return traced ? { traced: op } : op;
        }),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({ page: pageArb, kind: fc.constantFrom('read', 'write', 'exec') as fc.Arbitrary<'read' | 'write' | 'exec'> })
        .map(({ page, kind }) => ({ op: 'access' as const, vcpuId: 0, gpa: hx(Math.max(0, BASE + page) * P), kind })),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({ page: pageArb.map((p) => Math.max(0, p)), pages: fc.integer({ min: 1, max: WINDOW }), private: fc.boolean() })
        .map((a) => ({ op: 'set_memory_attributes' as const, address: hx((BASE + a.page) * P), size: hx(a.pages * P), private: a.private })),
    },
    // A new slot, a moved one, or dirty logging toggled (the same region with other flags).
    { weight: 2, arbitrary: slotArb.map((s) => ({ newSlot: s })) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((slot) => ({ op: 'delete_memslot' as const, addressSpace: 0, slot })) },
    { weight: 1, arbitrary: fc.constant({ op: 'finalize' as const }) },
    {
      weight: 1,
      arbitrary: fc.boolean().map((smm) => ({ op: 'set_vcpu_mode' as const, vcpuId: 0, patch: { smm } })),
    },
  );

/** A toggle of dirty logging on a slot made earlier: the same region, log_dirty_pages flipped. */
const toggleArb = fc.integer({ min: 0, max: 3 }).map((slot) => ({ toggle: slot }));

/** The VM, its first slots, and steps whose addresses lean towards the edges of both. */
const caseArb = fc.tuple(configArb, layoutArb).chain(([vm, slots]) => {
  const edges = [
    0,
    ...slots.flatMap((s) => [s.start, s.start + s.pages, ...(s.hwpoison !== null ? [s.start + poisonedPage(s)] : [])]),
    ...(vm.hole ? [vm.hole.page, vm.hole.page + vm.hole.pages] : []),
  ];
  const steps = fc.array(fc.oneof({ weight: 9, arbitrary: opArbOf(pageArbOf(edges)) }, { weight: 1, arbitrary: toggleArb }), {
    minLength: 1,
    maxLength: 16,
  });
  return fc.tuple(fc.constant(vm), fc.constant(slots), steps);
});

// ---- Running both engines ------------------------------------------------------------

/** An answer as compared: the result, or the SimError's code, field and message. */
function answer(vm: Vm, op: Operation, traced: boolean): unknown {
  try {
    if (!traced) return vm.apply(op);
    const events: TracepointEvent[] = [];
    return { result: vm.apply(op, { trace: events }), events };
  } catch (e) {
    if (!(e instanceof SimError)) throw e;
    return { thrown: [e.code, e.field, e.message] };
  }
}

/** Everything the inspection API shows: roots with counts, every leaf of every root, slots, attributes, vCPUs, table bytes, walks. */
function wholeState(vm: Vm, gpas: bigint[]): unknown {
  const roots = vm.roots();
  return {
    dead: vm.dead,
    roots,
    mappings: roots.map((r) => {
      const rows = [];
      let cursor: string | undefined;
      do {
        const page = vm.mappings(r.id, { limit: 10_000, ...(cursor !== undefined && { cursor }) });
        rows.push(...page.mappings);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return rows;
    }),
    walks: roots.map((r) => gpas.map((g) => vm.walk(r.id, g))),
    memslots: vm.memslots(),
    attributes: vm.memoryAttributes(),
    vcpus: vm.vcpus(),
    tableBytes: vm.tableBytes(),
  };
}

/** The operation a step stands for on `vm` now (both VMs have the same slots). */
function resolve(vm: Vm, step: Step): Operation | undefined {
  if ('newSlot' in step) return { op: 'set_memslot', addressSpace: 0, slot: step.newSlot.slot, region: memslotSpec(step.newSlot, vm.config.type) };
  if ('traced' in step) return step.traced;
  if (!('toggle' in step)) return step;
  const s = vm.memslots().find((m) => m.addressSpace === 0 && m.slot === step.toggle);
  if (!s) return undefined;
  const flags = s.flags.includes('log_dirty_pages') ? s.flags.filter((f) => f !== 'log_dirty_pages') : [...s.flags, 'log_dirty_pages' as const];
  const { hwpoison: _h, ...backing } = s.backing;
  return {
    op: 'set_memslot',
    addressSpace: 0,
    slot: s.slot,
    region: { guestPhysAddr: s.guestPhysAddr, size: s.size, userspaceAddr: s.userspaceAddr, flags, guestMemfdOffset: s.guestMemfdOffset, backing },
  };
}

describe('the x86 page run answers exactly as one fault per iteration (kvm_vcpu_pre_fault_memory, kvm_tdp_mmu_map)', () => {
  it('random VMs and operation sequences: every answer and the whole state are the same with and without page runs', () => {
    fc.assert(
      fc.property(caseArb, ([{ input, maxTableBytes, finalized, allPrivate, hole }, slots, steps]) => {
        const config = withVmDefaults(input);
        const vms = [true, false].map((pageRuns) => createVm(config, { maxTableBytes }, { pageRuns }));
        const setup: Step[] = [
          ...slots.map((s) => ({ newSlot: s })),
          { op: 'create_vcpu' as const, vcpu: { id: 0 } },
          ...(allPrivate ? [{ op: 'set_memory_attributes' as const, address: hx(BASE * P), size: hx(WINDOW * P), private: true }] : []),
          // A shared hole in the private window: tables with both kinds of gfn.
          ...(allPrivate && hole
            ? [{ op: 'set_memory_attributes' as const, address: hx((BASE + hole.page) * P), size: hx(hole.pages * P), private: false }]
            : []),
          ...(finalized ? [{ op: 'finalize' as const }] : []),
        ];
        const gpas: bigint[] = [];
        for (const step of [...setup, ...steps]) {
          const op = resolve(vms[0]!, step);
          if (!op) continue;
          if (op.op === 'pre_fault' || op.op === 'access') gpas.push(BigInt(op.gpa));
          // A traced call compares its tracepoint events too.
          const [a, b] = vms.map((vm) => answer(vm, op, 'traced' in step));
          expect(a, JSON.stringify(op)).toEqual(b);
        }
        expect(wholeState(vms[0]!, gpas)).toEqual(wholeState(vms[1]!, gpas));
      }),
      { numRuns: 300, seed: SEED },
    );
  });
});

// ---- Where the run is taken, and where not -----------------------------------------------

const G1 = 0x4000_0000;
const M2 = 0x20_0000;

interface Example {
  config?: Partial<VmConfigInput>;
  slots: MemslotSpec[];
  /** Run on both VMs before the measured call. */
  setup?: Operation[];
  gpa: number;
  size: number;
}

const slotAt = (gpa: number, size: number, extra: Partial<MemslotSpec> = {}): MemslotSpec => ({
  guestPhysAddr: hx(gpa),
  size: hx(size),
  backing: { pageSize: '4K', writable: true },
  ...extra,
});

/** The measured call on a VM with and without page runs: both answers, both states, and the faults each took. */
/** The example's VM before its pre-fault: its slots, vCPU 0, then its setup operations. */
function exampleVm(ex: Pick<Example, 'config' | 'slots' | 'setup'>, pageRuns: boolean): Vm {
  const vm = createVm(withVmDefaults({ name: 'ex', ...ex.config }), {}, { pageRuns });
  ex.slots.forEach((region, slot) => expect(vm.apply({ op: 'set_memslot', addressSpace: 0, slot, region })).toMatchObject({ ret: 0 }));
  vm.apply({ op: 'create_vcpu', vcpu: { id: 0 } });
  for (const op of ex.setup ?? []) vm.apply(op);
  return vm;
}

function both(ex: Example): { faults: [number, number] } {
  const counted: number[] = [];
  const results: unknown[] = [];
  for (const pageRuns of [true, false]) {
    const vm = exampleVm(ex, pageRuns);
    faults.mockClear();
    const r = vm.apply({ op: 'pre_fault', vcpuId: 0, gpa: hx(ex.gpa), size: hx(ex.size), flags: '0x0' });
    counted.push(faults.mock.calls.length);
    results.push({ r, state: wholeState(vm, [BigInt(ex.gpa), BigInt(ex.gpa + ex.size - P)]) });
  }
  expect(results[0]).toEqual(results[1]);
  return { faults: counted as [number, number] };
}

describe('where the page run is taken', () => {
  it("the bench's case: a 4K fill of writable anonymous memory faults once per table", () => {
    // 64 MiB: 16,384 leaves in 32 tables.
    expect(both({ slots: [slotAt(G1, 32 * M2)], gpa: G1, size: 32 * M2 }).faults).toEqual([32, 16_384]);
  });
  it('an unaligned range crossing tables: the first fault of each table, then the run to its end', () => {
    expect(both({ slots: [slotAt(G1, 4 * M2)], gpa: G1 + 5 * P, size: 2 * M2 }).faults).toEqual([3, 1024]);
  });
  it('present leaves in the way: the run stops before each, the spurious step takes it, a new run follows', () => {
    const setup: Operation[] = [{ op: 'pre_fault', vcpuId: 0, gpa: hx(G1 + 100 * P), size: hx(P), flags: '0x0' }];
    // Faults: 0 (run to 99), 100 (the present leaf: SPURIOUS), 101 (run to 511); per leaf, 512 faults.
    expect(both({ slots: [slotAt(G1, M2)], setup, gpa: G1, size: M2 }).faults).toEqual([3, 512]);
  });
  it("the slot's end mid-table: the run stops there, the next slot's first page faults again", () => {
    const slots = [slotAt(G1, 100 * P), slotAt(G1 + 100 * P, 412 * P, { userspaceAddr: hx(2 ** 41) })];
    expect(both({ slots, gpa: G1, size: M2 }).faults).toEqual([2, 512]);
  });
  it("6.12, an MMIO SPTE where the table's first leaf goes: that leaf has no D (make_spte skips it over bit 1), the run's leaves have it", () => {
    const config: Partial<VmConfigInput> = { kernel: '6.12' };
    // A pre-fault with no slot there leaves an MMIO SPTE (EPT: 0b110, bit 1 set); then the slot comes.
    const setup: Operation[] = [
      { op: 'pre_fault', vcpuId: 0, gpa: hx(G1 + M2), size: hx(P), flags: '0x0' },
      { op: 'set_memslot', addressSpace: 0, slot: 1, region: slotAt(G1 + M2, M2, { userspaceAddr: hx(2 ** 41) }) },
    ];
    const vm = exampleVm({ config, slots: [slotAt(G1, M2)], setup }, true);
    const r = vm.apply({ op: 'pre_fault', vcpuId: 0, gpa: hx(G1 + M2), size: hx(64 * P), flags: '0x0' }) as PreFaultResult;
    expect(r.mapped.map((m) => [m.count, m.dirty])).toEqual([
      [1, false],
      [63, true],
    ]);
    expect(both({ config, slots: [slotAt(G1, M2)], setup, gpa: G1 + M2, size: 64 * P }).faults).toEqual([1, 64]);
  });
  it('dirty logging: still one fault per table (the simulator keeps no dirty bitmap, so each leaf is the same)', () => {
    expect(both({ slots: [slotAt(G1, 2 * M2, { flags: ['log_dirty_pages'] })], gpa: G1, size: 2 * M2 }).faults).toEqual([2, 1024]);
  });
  it('guest_memfd private memory: runs while the attribute stays the same', () => {
    const config: Partial<VmConfigInput> = { type: 'sw_protected' };
    const slots = [slotAt(G1, M2, { flags: ['guest_memfd'], guestMemfdOffset: '0x0' })];
    const setup: Operation[] = [{ op: 'set_memory_attributes', address: hx(G1), size: hx(M2), private: true }];
    expect(both({ config, slots, setup, gpa: G1, size: M2 }).faults).toEqual([1, 512]);
    // Private then shared within the table: a run stops where the attribute changes (kvm_mem_is_private
    // per gfn), so one fault and a run for each half; and for each kind of gfn between shared holes.
    const mixed: Operation[] = [{ op: 'set_memory_attributes', address: hx(G1), size: hx(256 * P), private: true }];
    expect(both({ config, slots, setup: mixed, gpa: G1, size: M2 }).faults).toEqual([2, 512]);
    const holes: Operation[] = [
      { op: 'set_memory_attributes', address: hx(G1 + 10 * P), size: hx(400 * P), private: true },
      { op: 'set_memory_attributes', address: hx(G1 + 100 * P), size: hx(P), private: false },
    ];
    expect(both({ config, slots, setup: holes, gpa: G1 + 5 * P, size: 500 * P }).faults).toEqual([5, 500]);
  });
});

describe('where the page run is not taken', () => {
  const one = (ex: Example) => {
    const { faults: f } = both(ex);
    expect(f[0]).toBe(f[1]);
  };
  it('zero-page backing (untouched anonymous memory: each read fault maps the zero page)', () =>
    one({ slots: [slotAt(G1, M2, { backing: { pageSize: '4K', writable: false } })], gpa: G1, size: M2 }));
  it('a slot with a poisoned page', () =>
    one({ slots: [slotAt(G1, M2, { backing: { pageSize: '4K', writable: true, hwpoison: [hx(G1 + M2 - P)] } })], gpa: G1, size: 64 * P }));
  it('the legacy MMU (direct_pte_prefetch after each fault)', () =>
    one({ config: { host: { tdpMmu: false } }, slots: [slotAt(G1, M2)], gpa: G1, size: M2 }));
  it('a signal injected (the iteration count shows)', () => {
    for (const pageRuns of [true, false]) {
      const vm = exampleVm({ slots: [slotAt(G1, M2)] }, pageRuns);
      faults.mockClear();
      vm.apply({ op: 'pre_fault', vcpuId: 0, gpa: hx(G1), size: hx(M2), flags: '0x0', inject: { signalAfterIterations: 300 } });
      expect(faults.mock.calls.length).toBe(300);
    }
  });
  it('a trace sink on (each fault emits its events)', () => {
    for (const pageRuns of [true, false]) {
      const vm = exampleVm({ slots: [slotAt(G1, M2)] }, pageRuns);
      faults.mockClear();
      const events: unknown[] = [];
      vm.apply({ op: 'pre_fault', vcpuId: 0, gpa: hx(G1), size: hx(64 * P), flags: '0x0' }, { trace: { push: (e) => events.push(e) } });
      expect(faults.mock.calls.length).toBe(64);
      expect(events.filter((e) => (e as { name: string }).name === 'kvm_mmu_set_spte')).toHaveLength(64);
    }
  });
});

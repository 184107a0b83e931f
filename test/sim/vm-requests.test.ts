// The engine's own checks of a request's fields, before any ioctl runs: each refusal names
// its field and says what is allowed, at the boundary on both sides. The HTTP contract
// checks most shapes first; the engine is also driven directly (scenario replays, labs).
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/sim/index.js';
import { MAX_MAPPINGS_LIMIT } from '../../src/sim/vm.js';
import { GiB, hx, makeVm, prefault, refusal, setSlot } from './helpers.js';

const vmWithRam = () => makeVm({}, [{ gpa: 0, size: GiB }]);

describe('addressSpace and slot of KVM_SET_USER_MEMORY_REGION2 (two address spaces with SMM, 16-bit slot ids)', () => {
  const AS = ['invalid', 'addressSpace', 'addressSpace must be 0 or 1'];
  const SLOT = ['invalid', 'slot', 'slot must be an integer from 0 to 65535'];
  // Each bad value goes into one field; the other keeps a valid value (slot 3 on create, 0 on delete).
  it.each([
    ['addressSpace', -1, AS],
    ['addressSpace', 2, AS],
    ['addressSpace', 0.5, AS],
    ['slot', -1, SLOT],
    ['slot', 0x10000, SLOT],
    ['slot', 1.5, SLOT],
  ] as const)('%s %s is refused, on create and on delete', (field, bad, words) => {
    const vm = vmWithRam();
    const as = field === 'addressSpace' ? bad : 0;
    expect(refusal(() => setSlot(vm, { as, gpa: GiB, size: 0x1000 }, field === 'slot' ? bad : 3))).toEqual(words);
    expect(refusal(() => vm.apply({ op: 'delete_memslot', addressSpace: as, slot: field === 'slot' ? bad : 0 }))).toEqual(words);
  });
  it('address space 1 and slot 65535 are the largest that pass the check', () => {
    const vm = vmWithRam();
    // The field check passes; kvm_set_memory_region then refuses the id itself.
    expect(setSlot(vm, { gpa: GiB, size: 0x1000 }, 0xffff)).toMatchObject({ ret: -22, reason: expect.stringMatching(/KVM_USER_MEM_SLOTS/) });
    expect(refusal(() => vm.apply({ op: 'delete_memslot', addressSpace: 1, slot: 0xffff }))).toBe('ok');
  });
  it('inject.memslotBeingDeleted is checked the same way; null means none', () => {
    const vm = vmWithRam();
    const inject = (memslotBeingDeleted: { addressSpace: number; slot: number } | null) => () =>
      prefault(vm, 0, 0x1000, { inject: { memslotBeingDeleted } });
    expect(refusal(inject({ addressSpace: 2, slot: 0 }))).toEqual(AS);
    expect(refusal(inject({ addressSpace: 0, slot: 0x10000 }))).toEqual(SLOT);
    expect(refusal(inject(null))).toBe('ok');
  });
});

describe('pre-fault and access fields', () => {
  const SIGNAL = ['invalid', 'inject/signalAfterIterations', 'signalAfterIterations must be a non-negative integer or null'];
  it.each([[-1], [1.5], [2 ** 53]])('signalAfterIterations %s is refused', (after) => {
    expect(refusal(() => prefault(vmWithRam(), 0, 0x1000, { inject: { signalAfterIterations: after } }))).toEqual(SIGNAL);
  });
  it('signalAfterIterations 0 signals before the first iteration; null never signals', () => {
    expect(prefault(vmWithRam(), 0, 0x1000, { inject: { signalAfterIterations: 0 } }).errno).toBe('EINTR');
    expect(prefault(vmWithRam(), 0, 0x1000, { inject: { signalAfterIterations: null } }).ret).toBe(0);
  });
  it('a pre-fault names the field that is not a u64, alive or dead', () => {
    const op = (field: 'gpa' | 'size' | 'flags'): Operation => ({
      op: 'pre_fault',
      vcpuId: 0,
      gpa: '0x0',
      size: '0x1000',
      flags: '0x0',
      [field]: 'zero',
    });
    for (const dead of [false, true]) {
      const vm = vmWithRam();
      if (dead) vm.apply({ op: 'mark_dead' });
      expect((['gpa', 'size', 'flags'] as const).map((f) => refusal(() => vm.apply(op(f)))?.[1])).toEqual(['gpa', 'size', 'flags']);
    }
  });
  it('an access kind other than read, write or exec is refused', () => {
    expect(refusal(() => vmWithRam().apply({ op: 'access', vcpuId: 0, gpa: '0x0', kind: 'jump' as never }))).toEqual([
      'invalid',
      'kind',
      'kind must be read, write or exec',
    ]);
  });
});

describe("the views: vCPUs and each root's vCPUs in id order", () => {
  it('vCPUs created 2, 0, 1 list as 0, 1, 2, and the root they share lists them so too', () => {
    const vm = makeVm({}, [{ gpa: 0, size: GiB }], [{ id: 2 }, { id: 0 }, { id: 1 }]);
    for (const id of [2, 0, 1]) prefault(vm, 0, 0x1000, { vcpu: id });
    expect(vm.vcpus().map((v) => v.id)).toEqual([0, 1, 2]);
    expect(vm.roots().map((r) => r.vcpus)).toEqual([[0, 1, 2]]);
  });
  it('a TD root lists the vCPUs that hold it as their mirror root', () => {
    const vm = makeVm({ type: 'tdx' }, [{ gpa: 0, size: GiB, flags: ['guest_memfd'] }], [{ id: 1 }, { id: 0 }]);
    vm.apply({ op: 'finalize' });
    vm.apply({ op: 'set_memory_attributes', address: '0x0', size: hx(0x1000), private: true });
    for (const id of [1, 0]) prefault(vm, 0, 0x1000, { vcpu: id });
    expect(vm.roots().map((r) => [r.mirror, r.vcpus])).toEqual(
      expect.arrayContaining([
        [true, [0, 1]],
        [false, [0, 1]],
      ]),
    );
  });
});

describe('mappings query (GET .../roots/{root}/mappings)', () => {
  const vm = makeVm({}, [{ gpa: 0, size: GiB, backing: { pageSize: '4K' } }]);
  for (const gpa of [0, 0x2000, 0x4000]) prefault(vm, gpa, 0x1000); // three rows: the leaves are not contiguous
  const root = vm.roots()[0]!.id;
  const LIMIT = ['invalid', 'limit', `limit must be an integer from 1 to ${MAX_MAPPINGS_LIMIT}`];
  it.each([[0], [MAX_MAPPINGS_LIMIT + 1], [2.5]])('limit %s is refused', (limit) => {
    expect(refusal(() => vm.mappings(root, { limit }))).toEqual(LIMIT);
  });
  it('limit 1 and the largest limit are accepted', () => {
    expect(vm.mappings(root, { limit: 1 }).mappings).toHaveLength(1);
    expect(vm.mappings(root, { limit: MAX_MAPPINGS_LIMIT }).mappings).toHaveLength(3);
  });
  it('to below from is refused; to equal to from is an empty range', () => {
    expect(refusal(() => vm.mappings(root, { from: 0x2000n, to: 0x1fffn }))).toEqual(['invalid', 'to', 'to must not be below from']);
    expect(vm.mappings(root, { from: 0x2000n, to: 0x2000n }).mappings).toEqual([]);
    expect(vm.mappings(root, { from: 0x2000n, to: 0x2001n }).mappings.map((m) => m.gpa)).toEqual(['0x2000']);
  });
  it('to is exclusive and rounds up to a page: a range ending inside a page includes that page', () => {
    expect(vm.mappings(root, { from: 0n, to: 0x2001n }).mappings.map((m) => m.gpa)).toEqual(['0x0', '0x2000']);
    expect(vm.mappings(root, { from: 0n, to: 0x2000n }).mappings.map((m) => m.gpa)).toEqual(['0x0']);
  });
  it('a cursor that is not a u64 names cursor; an unknown root is a 404 naming it', () => {
    expect(refusal(() => vm.mappings(root, { cursor: 'next' }))?.[1]).toBe('cursor');
    expect(refusal(() => vm.mappings('r99', {}))).toEqual(['not_found', undefined, 'root r99 does not exist (or was invalidated) in this VM']);
  });
});

// Inspection is free of side effects (kvm_tdp_mmu_get_walk, listing), the engine is
// deterministic (replaying the operations rebuilds the same state), and bad input throws
// typed errors.
import { describe, expect, it } from 'vitest';
import { SimError, createVm, withVmDefaults, type Operation } from '../../src/sim/index.js';
import { GiB, MiB2, makeVm, prefault, rows } from './helpers.js';

const script: Operation[] = [
  { op: 'set_memslot', addressSpace: 0, slot: 0, region: { guestPhysAddr: '0x0', size: '0x40000000', backing: { pageSize: '2M' } } },
  { op: 'set_memslot', addressSpace: 1, slot: 0, region: { guestPhysAddr: '0x40000000', size: '0x200000' } },
  { op: 'create_vcpu', vcpu: { id: 0 } },
  { op: 'create_vcpu', vcpu: { id: 1, smm: true } },
  { op: 'pre_fault', vcpuId: 0, gpa: '0x100000', size: '0x400000', flags: '0x0' },
  { op: 'pre_fault', vcpuId: 1, gpa: '0x40000000', size: '0x3000', flags: '0x0' },
  { op: 'access', vcpuId: 0, gpa: '0x200000', kind: 'write' },
  { op: 'set_vcpu_mode', vcpuId: 1, patch: { smm: false } },
  { op: 'pre_fault', vcpuId: 1, gpa: '0x0', size: '0x10000', flags: '0x0' },
];

const snapshot = (vm: ReturnType<typeof makeVm>) =>
  JSON.stringify({ roots: vm.roots(), maps: vm.roots().map((r) => rows(vm, r.id)), vcpus: vm.vcpus() });

describe('determinism: the same operations give the same state and results', () => {
  it('replaying a log rebuilds identical roots, mappings and results', () => {
    const run = () => {
      const vm = createVm(withVmDefaults({ name: 'd' }));
      const results = script.map((op) => vm.apply(op));
      return { results: JSON.stringify(results), state: snapshot(vm) };
    };
    const a = run();
    const b = run();
    expect(b).toEqual(a);
    expect(a.state).toContain('"smm":true');
  });
});

describe('inspection has no side effects', () => {
  it('walk and mappings leave roots, counts and results unchanged', () => {
    const vm = createVm(withVmDefaults({ name: 'w' }));
    script.forEach((op) => vm.apply(op));
    const before = snapshot(vm);
    const root = vm.roots()[0]!;
    const walk = vm.walk(root.id, 0x7000n);
    // 0x7000 lies in the 2M page the first pre-fault mapped whole.
    expect(walk.steps.map((s) => s.level)).toEqual([4, 3, 2]);
    expect(walk.leafLevel).toBe('2M');
    vm.walk(root.id, 0x3f000000n); // unmapped: stops at the first non-present entry
    expect(vm.walk(root.id, 0x3f000000n).leafLevel).toBeNull();
    expect(snapshot(vm)).toBe(before);
  });
  it('walk shows the hardware SPTE: EPT R/W/X and PS on a 2M leaf', () => {
    const vm = makeVm({}, [{ gpa: 0, size: 0x400000, backing: { pageSize: '2M' } }]);
    prefault(vm, 0, MiB2);
    const leaf = vm.walk(vm.roots()[0]!.id, 0n).steps.at(-1)!;
    expect(leaf.level).toBe(2);
    const spte = BigInt(leaf.spte);
    expect([spte & 7n, (spte >> 7n) & 1n, (spte >> 8n) & 1n, (spte >> 9n) & 1n]).toEqual([7n, 1n, 0n, 1n]); // RWX, PS, A clear, D set
  });
  it('mapping pages follow the cursor without gaps or repeats', () => {
    const vm = makeVm({}, [{ gpa: 0, size: GiB, userspaceAddr: '0x7f0000000000' }]);
    for (let i = 0; i < 10; i++) prefault(vm, i * 0x10000, 0x1000); // 10 separate runs
    const id = vm.roots()[0]!.id;
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = vm.mappings(id, { limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.mappings.length).toBeLessThanOrEqual(3);
      seen.push(...page.mappings.map((m) => m.gpa));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `0x${(i * 0x10000).toString(16)}`));
    expect(vm.mappings(id, { from: 0x30000n, to: 0x50000n }).mappings.map((m) => m.gpa)).toEqual(['0x30000', '0x40000']);
  });
});

describe('typed errors for bad engine input', () => {
  const vm = () => makeVm({}, [{ gpa: 0, size: MiB2 }]);
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return e instanceof SimError ? `${e.code}:${e.field ?? ''}` : 'untyped';
    }
    return undefined;
  };
  it('non-u64 values, unknown vCPUs and roots, duplicate vCPUs', () => {
    const v = vm();
    expect(code(() => v.apply({ op: 'pre_fault', vcpuId: 0, gpa: '-1', size: '0x1000', flags: '0x0' }))).toBe('invalid:gpa');
    expect(code(() => v.apply({ op: 'pre_fault', vcpuId: 0, gpa: '0x10000000000000000', size: '0x1000', flags: '0x0' }))).toBe('invalid:gpa');
    expect(code(() => v.apply({ op: 'pre_fault', vcpuId: 7, gpa: '0x0', size: '0x1000', flags: '0x0' }))).toBe('not_found:');
    expect(code(() => v.apply({ op: 'create_vcpu', vcpu: { id: 0 } }))).toBe('conflict:id');
    expect(code(() => v.mappings('nope'))).toBe('not_found:');
    expect(code(() => withVmDefaults({ name: 'x', type: 'tdx', host: { vendor: 'amd' } }))).toBe('invalid:type');
  });
  it('a refused operation changes nothing', () => {
    const v = vm();
    const before = JSON.stringify(v.vcpus());
    code(() => v.apply({ op: 'set_vcpu_mode', vcpuId: 0, patch: { smm: true, guestMode: true } }));
    expect(JSON.stringify(v.vcpus())).toBe(before);
  });
});

// What a VM's type gives it (x86.c:kvm_arch_init_vm; kvm_host.h kvm_arch_has_private_mem,
// kvm_arch_has_readonly_mem), the A/D rule of its mapping rows, and its private ranges.
import { describe, expect, it } from 'vitest';
import type { IoctlResult, VmConfigInput } from '../../src/sim/index.js';
import { GiB, access, hx, makeVm, prefault, rows, setSlot } from './helpers.js';

type VmType = NonNullable<VmConfigInput['type']>;
const onHost: Record<VmType, Partial<VmConfigInput>> = {
  default: {},
  sw_protected: {},
  sev: { host: { vendor: 'amd' } },
  sev_es: { host: { vendor: 'amd' } },
  sev_snp: { host: { vendor: 'amd' } },
  tdx: {},
};
const vmOf = (type: VmType) => makeVm({ type, ...onHost[type] }, []);

describe('per VM type: private memory and protected state', () => {
  // [private memory (guest_memfd slots, PRIVATE attributes), protected state (no read-only slots)]
  const has: Record<VmType, [boolean, boolean]> = {
    default: [false, false],
    sw_protected: [true, false],
    sev: [false, false],
    sev_es: [false, true],
    sev_snp: [true, true],
    tdx: [true, true],
  };
  for (const [type, [privateMem, protectedState]] of Object.entries(has) as [VmType, [boolean, boolean]][]) {
    it(`${type}: private memory ${privateMem}, protected state ${protectedState}`, () => {
      const gmem = setSlot(vmOf(type), { gpa: 0, size: 0x200000, flags: ['guest_memfd'] });
      expect(gmem.errno, 'KVM_MEM_GUEST_MEMFD (check_memory_region_flags)').toBe(privateMem ? null : 'EINVAL');
      const attrs = vmOf(type).apply({ op: 'set_memory_attributes', address: '0x0', size: '0x1000', private: true }) as IoctlResult;
      expect(attrs.errno, 'KVM_MEMORY_ATTRIBUTE_PRIVATE (kvm_supported_mem_attributes)').toBe(privateMem ? null : 'EINVAL');
      const readonly = setSlot(vmOf(type), { gpa: 0, size: 0x200000, flags: ['readonly'] });
      expect(readonly.errno, 'KVM_MEM_READONLY (kvm_arch_has_readonly_mem)').toBe(protectedState ? 'EINVAL' : null);
    });
  }
});

describe("a pre-fault's mapped rows read A/D as the root inspection does (EPT without A/D bits before 6.13)", () => {
  for (const [label, config] of [
    ['Intel, EPT A/D off, 6.12', { kernel: '6.12', host: { vendor: 'intel', adBits: false } }],
    ['Intel, EPT A/D off, 6.13', { kernel: '6.13', host: { vendor: 'intel', adBits: false } }],
    ['AMD, 6.12', { kernel: '6.12', host: { vendor: 'amd' } }],
  ] as [string, Partial<VmConfigInput>][]) {
    it(label, () => {
      const vm = makeVm(config, [{ gpa: 0, size: GiB }]);
      const ad = (m: { accessed: boolean; dirty: boolean }) => [m.accessed, m.dirty];
      expect(prefault(vm, 0, 0x1000).mapped.map(ad)).toEqual(rows(vm).map(ad));
      expect(access(vm, 0x2000, 'write').mapped.map(ad)).toEqual(rows(vm).slice(-1).map(ad));
    });
  }
  it('the answers differ between the two rules, so the comparison above is not vacuous', () => {
    const answer = (config: Partial<VmConfigInput>) => {
      const m = prefault(makeVm(config, [{ gpa: 0, size: GiB }]), 0, 0x1000).mapped[0]!;
      return [m.accessed, m.dirty];
    };
    expect(answer({ kernel: '6.12', host: { vendor: 'intel', adBits: false } })).not.toEqual(answer({ kernel: '6.12', host: { vendor: 'amd' } }));
  });
});

describe('PrivateRanges (kvm->mem_attr_array) through KVM_SET_MEMORY_ATTRIBUTES and the huge-page rule', () => {
  const P = 0x1000;
  const vm = () => makeVm({ type: 'sw_protected' }, [{ gpa: 0, size: GiB, flags: ['guest_memfd'], backing: { pageSize: '2M' } }]);
  const set = (v: ReturnType<typeof vm>, start: number, pages: number, isPrivate: boolean) =>
    expect(
      (v.apply({ op: 'set_memory_attributes', address: hx(start * P), size: hx(pages * P), private: isPrivate }) as IoctlResult).errno,
    ).toBeNull();
  const levelAt = (v: ReturnType<typeof vm>, gfn: number) => prefault(v, gfn * P, P).iterations[0]!.level;

  it('runs that only touch the changed range are kept whole', () => {
    const v = vm();
    set(v, 10, 5, true); // [10, 15)
    set(v, 20, 5, true); // [20, 25)
    set(v, 15, 5, false); // touches both, overlaps neither
    expect(v.memoryAttributes().map((a) => [a.address, a.size])).toEqual([
      [hx(10 * P), hx(5 * P)],
      [hx(20 * P), hx(5 * P)],
    ]);
  });
  it('a clear that ends exactly where a run ends leaves nothing of it', () => {
    const v = vm();
    set(v, 10, 5, true);
    set(v, 12, 3, false);
    expect(v.memoryAttributes().map((a) => [a.address, a.size])).toEqual([[hx(10 * P), hx(2 * P)]]);
  });
  // hugepage_has_attrs (KVM_LPAGE_MIXED_FLAG): a shared fault maps 2M only if no gfn of the page is private.
  it('a 2M page with one private gfn in it is mixed; runs that end at its start or begin at its end do not count', () => {
    const v = vm();
    set(v, 511, 1, true); // ends where the second 2M page starts
    set(v, 1024, 1, true); // starts where the second 2M page ends
    expect(levelAt(v, 512)).toBe('2M');
    set(v, 700, 1, true);
    expect(levelAt(v, 1536)).toBe('2M');
    expect(levelAt(v, 512 + 3), 'one private gfn among shared ones').toBe('4K');
  });
  // kvm_vm_set_mem_attributes returns early when kvm_range_has_memory_attributes says the range has them already.
  it('setting PRIVATE again over a wholly private range zaps nothing; over a range partly private, it zaps', () => {
    const v = vm();
    set(v, 100, 10, true);
    set(v, 115, 1, true); // a private run after the range
    expect(prefault(v, 100 * P, 10 * P).mapped.map((m) => [m.private, m.count])).toEqual([[true, 10]]);
    set(v, 100, 10, true);
    expect(rows(v).map((m) => [m.gpa, m.count])).toEqual([[hx(100 * P), 10]]);
    set(v, 100, 11, true);
    expect(rows(v)).toEqual([]);
  });
});

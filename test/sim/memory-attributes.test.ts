// KVM_SET_MEMORY_ATTRIBUTES as the VM reports it back (the attributes view): the private
// ranges after each call, as kvm_vm_set_mem_attributes leaves kvm->mem_attr_array: a set
// or clear over part of a range keeps the rest, and touching ranges read as one.
import { describe, expect, it } from 'vitest';
import { GiB, access, hx, makeVm, prefault, rows } from './helpers.js';

const P = 0x1000;

function vmWith(calls: [start: number, pages: number, isPrivate: boolean][]) {
  const vm = makeVm({ type: 'sw_protected' }, [{ gpa: 0, size: GiB, flags: ['guest_memfd'] }]);
  for (const [start, pages, isPrivate] of calls)
    expect(vm.apply({ op: 'set_memory_attributes', address: hx(start * P), size: hx(pages * P), private: isPrivate })).toMatchObject({ ret: 0 });
  return vm;
}

/** The view as [first page, pages] pairs. */
const ranges = (vm: ReturnType<typeof vmWith>) =>
  vm.memoryAttributes().map((a) => {
    expect(a.private).toBe(true);
    return [Number(a.address) / P, Number(a.size) / P];
  });

/** The view after these calls on a new VM. */
const after = (...calls: [start: number, pages: number, isPrivate: boolean][]) => ranges(vmWith(calls));

describe('the private ranges after KVM_SET_MEMORY_ATTRIBUTES (kvm_vm_set_mem_attributes)', () => {
  it('none before any call; one range after one call', () => {
    expect(after()).toEqual([]);
    expect(after([16, 8, true])).toEqual([[16, 8]]);
  });
  it('ranges apart stay apart, listed by address; touching or overlapping ones read as one', () => {
    expect(after([40, 4, true], [16, 8, true])).toEqual([
      [16, 8],
      [40, 4],
    ]);
    expect(after([16, 8, true], [24, 4, true])).toEqual([[16, 12]]);
    expect(after([24, 4, true], [16, 8, true])).toEqual([[16, 12]]);
    expect(after([16, 8, true], [20, 8, true])).toEqual([[16, 12]]);
  });
  it('clearing the middle of a range keeps both ends; clearing an end keeps the other part', () => {
    expect(after([16, 16, true], [20, 4, false])).toEqual([
      [16, 4],
      [24, 8],
    ]);
    expect(after([16, 16, true], [16, 4, false])).toEqual([[20, 12]]);
    expect(after([16, 16, true], [28, 8, false])).toEqual([[16, 12]]);
    expect(after([16, 16, true], [8, 40, false])).toEqual([]);
  });
  it('a clear that only touches a range (ends where it starts, starts where it ends) changes nothing', () => {
    expect(after([16, 8, true], [8, 8, false], [24, 8, false])).toEqual([[16, 8]]);
  });
  it('setting private again over a private range keeps one range', () => {
    expect(after([16, 8, true], [16, 8, true])).toEqual([[16, 8]]);
  });
});

describe('clearing PRIVATE over a range only partly private (kvm_range_has_memory_attributes is false: the call acts)', () => {
  it('zaps the private leaf in the range, and the next access maps the gfn shared', () => {
    const vm = vmWith([[16, 16, true]]);
    expect(prefault(vm, 30 * P, P).mapped).toEqual([expect.objectContaining({ gpa: hx(30 * P), private: true })]);
    expect(vm.apply({ op: 'set_memory_attributes', address: hx(28 * P), size: hx(8 * P), private: false })).toMatchObject({ ret: 0 });
    expect(rows(vm).filter((m) => m.gpa === hx(30 * P))).toEqual([]);
    expect(access(vm, 30 * P).mapped).toEqual([expect.objectContaining({ gpa: hx(30 * P), private: false })]);
  });
});

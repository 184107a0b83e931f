// quirksDisabled: ["SLOT_ZAP_ALL"] (KVM_CAP_DISABLE_QUIRKS2). kvm_memslot_flush_zap_all: only a
// default VM with the quirk enabled zaps all roots on a slot delete/move; with it disabled,
// kvm_mmu_zap_memslot_leafs zaps the slot's leaves and keeps the page tables above them.
import { describe, expect, it } from 'vitest';
import { SimError, withVmDefaults } from '../../src/sim/index.js';
import { GiB, MiB2, hx, makeVm, prefault, rows, setSlot } from './helpers.js';

const twoSlots = [
  { gpa: 0, size: GiB, userspaceAddr: hx(2 ** 40) },
  { slot: 1, gpa: GiB, size: GiB },
];

describe('KVM_X86_QUIRK_SLOT_ZAP_ALL disabled', () => {
  it('deleting a slot of a default VM zaps only its leaves; the root and its tables stay', () => {
    const vm = makeVm({ quirksDisabled: ['SLOT_ZAP_ALL'] }, twoSlots);
    prefault(vm, 0, 0x2000);
    prefault(vm, GiB, 0x1000);
    const [root] = vm.roots();
    vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 0 });
    const [after] = vm.roots();
    expect(after!.id).toBe(root!.id);
    expect(after!.counts).toMatchObject({ '4K': 1, tables: root!.counts.tables });
    expect(rows(vm).map((r) => r.gpa)).toEqual([hx(GiB)]);
  });
  it('moving a slot zaps the old range the same way', () => {
    const vm = makeVm({ quirksDisabled: ['SLOT_ZAP_ALL'] }, twoSlots);
    prefault(vm, 0, 0x1000);
    const id = vm.roots()[0]!.id;
    expect(setSlot(vm, { gpa: 4 * GiB, size: GiB, userspaceAddr: hx(2 ** 40) }, 0).ret).toBe(0);
    expect(vm.roots().map((r) => [r.id, r.counts['4K']])).toEqual([[id, 0]]);
  });
  it('with the quirk enabled (the default) the same delete makes every root obsolete', () => {
    const vm = makeVm({}, twoSlots);
    prefault(vm, GiB, 0x1000);
    const id = vm.roots()[0]!.id;
    vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 0 });
    expect(vm.roots().map((r) => r.id)).not.toContain(id);
  });
  it('the config echoes quirksDisabled, [] by default', () => {
    expect(withVmDefaults({ name: 'a' }).quirksDisabled).toEqual([]);
    expect(withVmDefaults({ name: 'a', quirksDisabled: ['SLOT_ZAP_ALL'] }).quirksDisabled).toEqual(['SLOT_ZAP_ALL']);
  });
  it('a kernel without the quirk (6.11) refuses it, naming quirksDisabled', () => {
    const refuse = () => withVmDefaults({ name: 'a', kernel: '6.11', quirksDisabled: ['SLOT_ZAP_ALL'] });
    expect(refuse).toThrow(SimError);
    expect(refuse).toThrow(/quirksDisabled.*6\.11.*SLOT_ZAP_ALL/);
    try {
      refuse();
    } catch (e) {
      expect((e as SimError).field).toBe('quirksDisabled');
    }
    expect(withVmDefaults({ name: 'a', kernel: '6.12', quirksDisabled: ['SLOT_ZAP_ALL'] }).kernel).toBe('6.12');
  });
  it('unknown and repeated quirk names are refused', () => {
    expect(() => withVmDefaults({ name: 'a', quirksDisabled: ['NOPE' as 'SLOT_ZAP_ALL'] })).toThrow(/unknown quirk NOPE/);
    expect(() => withVmDefaults({ name: 'a', quirksDisabled: ['SLOT_ZAP_ALL', 'SLOT_ZAP_ALL'] })).toThrow(/repeat/);
  });
  it('a leaf-only zap leaves a table where a 2M pre-fault later wants a leaf (the ea9fcdf76d3d case)', () => {
    const vm = makeVm({ quirksDisabled: ['SLOT_ZAP_ALL'] }, twoSlots);
    prefault(vm, 0, 0x1000);
    vm.apply({ op: 'delete_memslot', addressSpace: 0, slot: 0 });
    expect(setSlot(vm, { gpa: 0, size: GiB, userspaceAddr: hx(2 ** 40), backing: { pageSize: '2M' } }, 0).ret).toBe(0);
    const root = vm.roots()[0]!;
    const walk = vm.walk(root.id, 0n);
    // The 2M-level entry still points to the (now empty) 4K table.
    expect(walk.steps.find((s) => s.level === 2)).toMatchObject({ present: true, leaf: false });
    expect(prefault(vm, 0, MiB2).ret).toBe(0);
  });
});

// The memslot as the VM reports it back (the memslots view of kvm_vm_ioctl_set_memory_region's
// input), and the server's per-VM memslot limit, which counts both address spaces.
import { describe, expect, it } from 'vitest';
import type { MemslotFlag } from '../../src/sim/index.js';
import { hx, makeVm, refusal, setSlot } from './helpers.js';

const P = 0x1000;

describe('memslot view', () => {
  it('lists the KVM_MEM_* flags set, in the fixed order readonly, guest_memfd, log_dirty_pages', () => {
    const flagsOf = (type: 'default' | 'sw_protected', flags: MemslotFlag[]) => {
      const vm = makeVm({ type }, [{ gpa: 0, size: 0x200000, flags }]);
      return vm.memslots()[0]!.flags;
    };
    expect(flagsOf('default', [])).toEqual([]);
    expect(flagsOf('default', ['log_dirty_pages', 'readonly'])).toEqual(['readonly', 'log_dirty_pages']);
    expect(flagsOf('sw_protected', ['guest_memfd'])).toEqual(['guest_memfd']);
  });
  it('lists poisoned host pages by guest address, lowest first, whatever order they were given in', () => {
    const base = 0x40000000;
    const vm = makeVm({}, [
      { gpa: base, size: 0x200000, backing: { pageSize: '4K', hwpoison: [hx(base + 12 * P), hx(base + 3 * P), hx(base + 100 * P)] } },
    ]);
    expect(vm.memslots()[0]!.backing.hwpoison).toEqual([hx(base + 3 * P), hx(base + 12 * P), hx(base + 100 * P)]);
  });
});

describe('the memslot limit (VmLimits.maxMemslots)', () => {
  it('counts the slots of both address spaces', () => {
    const vm = makeVm(
      {},
      [
        { gpa: 0, size: 0x200000 },
        { as: 1, slot: 0, gpa: 0x40000000, size: 0x200000 },
      ],
      [{ id: 0 }],
      { maxMemslots: 2 },
    );
    expect(refusal(() => setSlot(vm, { gpa: 0x80000000, size: 0x200000 }, 1))).toEqual([
      'limit',
      'slot',
      'this server allows at most 2 memslots per VM',
    ]);
    expect(vm.memslots()).toHaveLength(2);
  });
});

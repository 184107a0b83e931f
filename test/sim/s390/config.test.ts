// s390 VM configuration (contract v2 "VM"; spec part 2 §19.4, S-CAP): kvm_vm_ioctl_enable_cap
// for KVM_CAP_S390_HPAGE_1M / _2G and the module parameters, KVM_S390_VM_MEM_LIMIT_SIZE.
import { describe, expect, it } from 'vitest';
import { withS390Defaults } from '../../../src/sim/s390/kvm-s390.js';
import type { S390VmConfigInput } from '../../../src/sim/s390/types.js';

const field = (input: Omit<S390VmConfigInput, 'name'>): string | undefined => {
  try {
    withS390Defaults({ name: 'x', ...input });
    return undefined;
  } catch (e) {
    return (e as { field?: string }).field;
  }
};

describe('kvm_vm_ioctl_enable_cap and the kvm.hpage / kvm.hpage_2g module parameters', () => {
  it.each([
    [{ host: { hpage2g: true } }, 'host.hpage2g'],
    [{ kernel: '7.1' as const, host: { hpage: true, hpage2g: true } }, 'host.hpage2g'],
    [{ s390: { hpage1m: true } }, 's390.hpage1m'],
    [{ host: { hpage: true }, s390: { hpage2g: true } }, 's390.hpage2g'],
    [{ type: 'ucontrol' as const, host: { hpage: true }, s390: { hpage1m: true } }, 's390.hpage1m'],
    [{ s390: { memLimit: '0x80000' } }, 's390.memLimit'],
    [{ s390: { memLimit: '0x40000001000' } }, 's390.memLimit'],
  ])('%j is refused naming %s', (input, name) => {
    expect(field(input)).toBe(name);
  });
  it('false is always accepted, and the defaults are kernel 7.4, memLimit = maxStorage', () => {
    const c = withS390Defaults({ name: 'x', type: 'ucontrol', s390: { hpage1m: false } });
    expect([c.kernel, c.s390.memLimit, c.s390.hpage1m]).toEqual(['7.4', '0x40000000000', false]);
  });
});

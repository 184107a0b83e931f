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

const refusal = (input: Omit<S390VmConfigInput, 'name'> & { name?: unknown }): [string | undefined, string] | null => {
  try {
    withS390Defaults({ name: 'x', ...input } as S390VmConfigInput);
    return null;
  } catch (e) {
    return [(e as { field?: string }).field, (e as Error).message];
  }
};

const U64_MESSAGE = (field: string): string => `${field} must be a u64 ("0x..." hex or decimal digits, at most 2^64-1)`;

describe('the words of each refusal (contract v2 VM fields)', () => {
  it.each([
    [{ name: '' }, 'name', 'name must be a non-empty string'],
    [{ name: 7 }, 'name', 'name must be a non-empty string'],
    [{ kernel: '6.18' }, 'kernel', 'kernel must be one of 7.0, 7.1, 7.2, 7.3, 7.4 on s390'],
    [{ type: 'pv' }, 'type', 'type must be default or ucontrol on s390'],
    [{ host: { hpage2g: true } }, 'host.hpage2g', 'host.hpage2g needs host.hpage'],
    [{ kernel: '7.1', host: { hpage: true, hpage2g: true } }, 'host.hpage2g', 'kvm.hpage_2g exists from kernel 7.2'],
    [{ s390: { hpage1m: true } }, 's390.hpage1m', 's390.hpage1m needs host.hpage (KVM_CAP_S390_HPAGE_1M)'],
    [{ host: { hpage: true }, s390: { hpage2g: true } }, 's390.hpage2g', 's390.hpage2g needs host.hpage2g (KVM_CAP_S390_HPAGE_2G)'],
    [
      { type: 'ucontrol', host: { hpage: true, hpage2g: true }, s390: { hpage2g: true } },
      's390.hpage2g',
      'huge pages cannot be enabled on a ucontrol VM (kvm_vm_ioctl_enable_cap: EINVAL)',
    ],
    [{ s390: { memLimit: '0xff000' } }, 's390.memLimit', 's390.memLimit must be from 1M to host.maxStorage'],
    // KVM_S390_VM_MEM_LIMIT_SIZE and SCLP hamax are u64s: a value that is not one names its own field.
    [{ s390: { memLimit: '-1' } }, 's390.memLimit', U64_MESSAGE('s390.memLimit')],
    [{ host: { maxStorage: '-1' }, s390: { memLimit: '0x100000' } }, 'host.maxStorage', U64_MESSAGE('host.maxStorage')],
  ])('%j: %s', (input, name, message) => {
    expect(refusal(input as never)).toEqual([name, message]);
  });
});

describe('the limits accepted', () => {
  it('memLimit exactly 1M, and exactly host.maxStorage', () => {
    expect([refusal({ s390: { memLimit: '0x100000' } }), refusal({ host: { maxStorage: '0x200000' }, s390: { memLimit: '0x200000' } })]).toEqual([
      null,
      null,
    ]);
  });
  it('kvm.hpage_2g from 7.2 on, with KVM_CAP_S390_HPAGE_2G', () => {
    expect(refusal({ kernel: '7.2', host: { hpage: true, hpage2g: true }, s390: { hpage2g: true } })).toBeNull();
  });
  it('a partial host keeps the other defaults, and memLimit defaults to the host maxStorage given', () => {
    const c = withS390Defaults({ name: 'x', host: { hpage: true, maxStorage: '0x80000000' } });
    expect([c.type, c.host, c.s390]).toEqual([
      'default',
      { hpage: true, hpage2g: false, maxStorage: '0x80000000' },
      { hpage1m: false, hpage2g: false, memLimit: '0x80000000' },
    ]);
  });
});

// arm64 VM configuration (contract v2 "VM"; spec part 2 §18.10): kvm_init_ipa_range and the
// host combinations the kernel cannot produce, each a SimError naming its field.
import { describe, expect, it } from 'vitest';
import { ARCH_KERNELS } from '../../../src/sim/arch-types.js';
import { withArm64Defaults } from '../../../src/sim/arm64/arm.js';
import type { Arm64VmConfigInput } from '../../../src/sim/arm64/types.js';
import { refusal } from '../helpers.js';
import { arm64Vm } from './helpers.js';

const field = (input: Omit<Arm64VmConfigInput, 'name'>): string | undefined => {
  try {
    withArm64Defaults({ name: 'x', ...input });
    return undefined;
  } catch (e) {
    return (e as { field?: string }).field;
  }
};

describe('kvm_init_ipa_range: 32 <= IPA <= get_kvm_ipa_limit(); type 0 means 40 bits', () => {
  it('defaults: kernel 7.4, 4K granule, IPA 40 under a 48-bit limit', () => {
    const c = withArm64Defaults({ name: 'x' });
    expect([c.kernel, c.host.granule, c.host.ipaLimit, c.arm64.ipaBits]).toEqual(['7.4', '4K', 48, 40]);
  });
  it.each([
    [{ arm64: { ipaBits: 31 } }, 'arm64.ipaBits'],
    [{ arm64: { ipaBits: 44 }, host: { ipaLimit: 40 } }, 'arm64.ipaBits'],
    [{ host: { ipaLimit: 36 } }, 'arm64.ipaBits'],
    [{ host: { ipaLimit: 52 } }, 'host.ipaLimit'],
    [{ host: { ipaLimit: 50 } }, 'host.ipaLimit'],
    [{ type: 'sev' as never }, 'type'],
    [{ kernel: '6.18' as never }, 'kernel'],
  ])('%j is refused naming %s', (input, name) => {
    expect(field(input)).toBe(name);
  });
  it('IPA 52 with the 64K granule is accepted', () => {
    expect(field({ host: { granule: '64K', ipaLimit: 52 }, arm64: { ipaBits: 52 } })).toBeUndefined();
  });
});

describe('every refusal names its field and says what is accepted', () => {
  const refused = (input: Partial<Arm64VmConfigInput>) => refusal(() => withArm64Defaults({ name: 'x', ...input } as Arm64VmConfigInput));
  it.each([
    [{ name: '' }, 'name', 'name must be a non-empty string'],
    [{ name: 7 as never }, 'name', 'name must be a non-empty string'],
    [{ kernel: '6.18' as never }, 'kernel', `kernel must be one of ${ARCH_KERNELS.join(', ')} on arm64`],
    [{ type: 'sev' as never }, 'type', 'arm64 VMs have type default only'],
    [{ host: { granule: '8K' as never } }, 'host.granule', 'host.granule must be 4K, 16K or 64K'],
    [{ host: { ipaLimit: 50 } }, 'host.ipaLimit', 'host.ipaLimit must be one of 32, 36, 40, 42, 44, 48, 52'],
    [{ host: { ipaLimit: 52, granule: '16K' } }, 'host.ipaLimit', 'host.ipaLimit 52 needs the 64K granule (LPA2 is not modelled)'],
    [{ arm64: { ipaBits: 40.5 } }, 'arm64.ipaBits', 'arm64.ipaBits must be an integer from 32 to host.ipaLimit (48) (kvm_init_ipa_range)'],
    [{ arm64: { ipaBits: 49 } }, 'arm64.ipaBits', 'arm64.ipaBits must be an integer from 32 to host.ipaLimit (48) (kvm_init_ipa_range)'],
  ] as const)('%j', (input, name, message) => {
    expect(refused(input as Partial<Arm64VmConfigInput>)).toEqual(['invalid', name, message]);
  });
  it('the edges that are accepted: IPA 32, IPA equal to the limit, a 52-bit limit on 64K', () => {
    expect(refused({ arm64: { ipaBits: 32 } })).toBe('ok');
    expect(refused({ arm64: { ipaBits: 48 } })).toBe('ok');
    expect(refused({ host: { granule: '64K', ipaLimit: 52 } })).toBe('ok');
  });
  it('a vCPU id must be a non-negative integer', () => {
    const vm = arm64Vm({}, [], []);
    for (const id of [-1, 1.5]) expect(refusal(() => vm.createVcpu({ id }))).toEqual(['invalid', 'id', 'id must be a non-negative integer']);
    expect(refusal(() => vm.createVcpu({ id: 0 }))).toBe('ok');
  });
});

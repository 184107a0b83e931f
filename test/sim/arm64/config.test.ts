// arm64 VM configuration (contract v2 "VM"; spec part 2 §18.10): kvm_init_ipa_range and the
// host combinations the kernel cannot produce, each a SimError naming its field.
import { describe, expect, it } from 'vitest';
import { withArm64Defaults } from '../../../src/sim/arm64/arm.js';
import type { Arm64VmConfigInput } from '../../../src/sim/arm64/types.js';

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

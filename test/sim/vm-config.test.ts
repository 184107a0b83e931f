// The VM configuration the engine accepts (sim/vm-config.ts): the contract's defaults, and
// every refusal with the field and the words a client reads in the problem's detail. The
// HTTP tests see these through the service; here each is pinned at the engine.
import { describe, expect, it } from 'vitest';
import { SimError, withVmDefaults, type HostConfig, type VmConfigInput } from '../../src/sim/index.js';
import { DEFAULT_HOST, isAliasGfn, kernelAtLeast, maxTdpLevel, supportedGuestPhysBits, tdxSharedBitGfn } from '../../src/sim/vm-config.js';

/** The refusal as `field: message`, or 'accepted'. */
function refusal(input: Partial<VmConfigInput> & Record<string, unknown>): string {
  try {
    withVmDefaults({ name: 'vm', ...input } as VmConfigInput);
  } catch (e) {
    expect(e).toBeInstanceOf(SimError);
    expect((e as SimError).code).toBe('invalid');
    return `${(e as SimError).field}: ${(e as SimError).message}`;
  }
  return 'accepted';
}

const host = (h: Partial<HostConfig>): HostConfig => ({ ...DEFAULT_HOST, ...h });

describe('withVmDefaults: the contract defaults', () => {
  it('fills type, kernel, policy, quirks and the whole host, and copies the quirk list', () => {
    const quirks = ['SLOT_ZAP_ALL' as const];
    const config = withVmDefaults({ name: 'a', quirksDisabled: quirks });
    expect(config).toEqual({
      name: 'a',
      type: 'default',
      kernel: '6.18',
      prefaultPolicy: 'upstream',
      quirksDisabled: ['SLOT_ZAP_ALL'],
      host: {
        vendor: 'intel',
        tdp: true,
        tdpMmu: true,
        maxTdpLevel: 4,
        pagingLevel: 4,
        maxPhysAddr: 46,
        adBits: true,
        nxHugePages: false,
        maxHugePageLevel: '1G',
        mmioCaching: true,
        eagerPageSplit: true,
      },
    });
    expect(config.quirksDisabled).not.toBe(quirks);
    expect(withVmDefaults({ name: 'b' }).quirksDisabled).toEqual([]);
  });
  it('keeps what the caller chose and merges a partial host over the defaults', () => {
    const config = withVmDefaults({
      name: 'c',
      type: 'sev',
      kernel: '6.12',
      prefaultPolicy: 'reject-smm-guest-mode',
      host: { vendor: 'amd', pagingLevel: 5 },
    });
    expect([config.type, config.kernel, config.prefaultPolicy]).toEqual(['sev', '6.12', 'reject-smm-guest-mode']);
    expect(config.host).toEqual(host({ vendor: 'amd', pagingLevel: 5 }));
  });
});

describe('withVmDefaults: every refusal names its field and says why', () => {
  it('name', () => {
    expect(refusal({ name: '' })).toBe('name: name must be a non-empty string');
    expect(refusal({ name: 7 as never })).toBe('name: name must be a non-empty string');
    expect(refusal({ name: 'a\x00b' })).toBe('name: name must not contain control characters');
    expect(refusal({ name: 'a\x1fb' })).toMatch(/^name: /);
    expect(refusal({ name: 'a\x7fb' })).toMatch(/^name: /);
    expect(refusal({ name: 'a b~' })).toBe('accepted');
  });
  it('type, kernel and policy list what they take', () => {
    expect(refusal({ type: 'pkvm' as never })).toBe('type: type must be one of default, sw_protected, sev, sev_es, sev_snp, tdx');
    expect(refusal({ kernel: '6.10' as never })).toMatch(/^kernel: kernel must be one of 6\.11, 6\.12, .*, 7\.4$/);
    expect(refusal({ prefaultPolicy: 'l1' as never })).toBe(
      'prefaultPolicy: prefaultPolicy must be one of upstream, switch-root-mmu, reject-smm-guest-mode',
    );
  });
  it('host paging levels and the physical address width', () => {
    expect(refusal({ host: { maxTdpLevel: 3 as never } })).toBe('host.maxTdpLevel: host.maxTdpLevel must be 4 or 5');
    expect(refusal({ host: { maxTdpLevel: 5 } })).toBe('accepted');
    expect(refusal({ host: { pagingLevel: 6 as never } })).toBe('host.pagingLevel: host.pagingLevel must be 4 or 5');
    expect(refusal({ host: { pagingLevel: 5 } })).toBe('accepted');
    for (const bad of [35, 53, 40.5])
      expect(refusal({ host: { maxPhysAddr: bad } })).toBe('host.maxPhysAddr: host.maxPhysAddr must be an integer from 36 to 52');
    for (const ok of [36, 52]) expect(refusal({ host: { maxPhysAddr: ok } })).toBe('accepted');
  });
  it('AMD NPT always has A/D bits; Intel EPT may lack them', () => {
    expect(refusal({ host: { vendor: 'amd', adBits: false } })).toBe('host.adBits: AMD NPT always has accessed/dirty bits');
    expect(refusal({ host: { vendor: 'intel', adBits: false } })).toBe('accepted');
  });
  it('the protected VM types need TDP and the TDP MMU (kvm_arch_init_vm)', () => {
    for (const type of ['sw_protected', 'sev_snp', 'tdx'] as const) {
      const vendor = type === 'sev_snp' ? 'amd' : 'intel';
      expect(refusal({ type, host: { vendor, tdpMmu: false } })).toBe(
        `host.tdpMmu: a ${type} VM needs TDP and the TDP MMU (kvm_arch_init_vm refuses it otherwise)`,
      );
      expect(refusal({ type, host: { vendor, tdp: false } })).toMatch(/^host\.tdpMmu: /);
    }
    expect(refusal({ type: 'sev', host: { vendor: 'amd', tdpMmu: false } })).toBe('accepted');
    expect(refusal({ host: { tdp: false } })).toBe('accepted');
  });
  it('SEV types only on AMD, TDX only on Intel and from 6.16', () => {
    for (const type of ['sev', 'sev_es', 'sev_snp'] as const) {
      expect(refusal({ type })).toBe(`type: ${type} VMs exist only on AMD hosts`);
      expect(refusal({ type, host: { vendor: 'amd' } })).toBe('accepted');
    }
    expect(refusal({ type: 'tdx', host: { vendor: 'amd' } })).toBe('type: tdx VMs exist only on Intel hosts');
    expect(refusal({ type: 'tdx', kernel: '6.15' })).toBe('kernel: the TDX VM type exists from kernel 6.16');
    expect(refusal({ type: 'tdx', kernel: '6.16' })).toBe('accepted');
  });
  it('tdxGpaw (setup_tdparams_eptp_controls)', () => {
    expect(refusal({ tdxGpaw: 48 })).toBe('tdxGpaw: tdxGpaw is the GPAW of a TD: only a tdx VM takes it');
    expect(refusal({ type: 'tdx', tdxGpaw: 47 as never })).toBe('tdxGpaw: tdxGpaw must be 48 or 52 (setup_tdparams_eptp_controls)');
    expect(refusal({ type: 'tdx', tdxGpaw: 52, host: { maxPhysAddr: 52 } })).toBe(
      'tdxGpaw: tdxGpaw 52 needs a host with 5-level EPT, host.maxTdpLevel 5 (setup_tdparams_eptp_controls)',
    );
    expect(withVmDefaults({ name: 'td', type: 'tdx', tdxGpaw: 52, host: { maxPhysAddr: 52, maxTdpLevel: 5 } }).tdxGpaw).toBe(52);
    expect(withVmDefaults({ name: 'td', type: 'tdx' }).tdxGpaw).toBe(48);
  });
  it('quirksDisabled (KVM_CAP_DISABLE_QUIRKS2)', () => {
    for (const notAList of ['SLOT_ZAP_ALL', 5, { length: 0 }])
      expect(refusal({ quirksDisabled: notAList as never })).toBe('quirksDisabled: quirksDisabled must be a list of quirk names');
    expect(refusal({ quirksDisabled: ['NO_SUCH' as never] })).toBe('quirksDisabled: quirksDisabled: unknown quirk NO_SUCH (known: SLOT_ZAP_ALL)');
    expect(refusal({ kernel: '6.11', quirksDisabled: ['SLOT_ZAP_ALL'] })).toBe(
      'quirksDisabled: quirksDisabled: kernel 6.11 has no KVM_X86_QUIRK_SLOT_ZAP_ALL (added in 6.12)',
    );
    expect(refusal({ kernel: '6.12', quirksDisabled: ['SLOT_ZAP_ALL'] })).toBe('accepted');
    expect(refusal({ quirksDisabled: ['SLOT_ZAP_ALL', 'SLOT_ZAP_ALL'] })).toBe('quirksDisabled: quirksDisabled must not repeat a quirk');
  });
});

describe('the host-derived widths', () => {
  it('kernelAtLeast orders the kernel axis', () => {
    expect(kernelAtLeast('6.16', '6.16')).toBe(true);
    expect(kernelAtLeast('7.0', '6.19')).toBe(true);
    expect(kernelAtLeast('6.15', '6.16')).toBe(false);
  });
  it('maxTdpLevel: AMD uses the host paging level, Intel its EPT maximum (kvm_mmu_get_max_tdp_level)', () => {
    expect(maxTdpLevel(host({ vendor: 'amd', pagingLevel: 5, maxTdpLevel: 4 }))).toBe(5);
    expect(maxTdpLevel(host({ vendor: 'intel', pagingLevel: 5, maxTdpLevel: 4 }))).toBe(4);
  });
  it('supportedGuestPhysBits: 0 without TDP, capped at 48 under 4-level tables, else MAXPHYADDR', () => {
    expect(supportedGuestPhysBits(host({ tdp: false, maxPhysAddr: 40 }))).toBe(0);
    expect(supportedGuestPhysBits(host({ maxPhysAddr: 52 }))).toBe(48);
    expect(supportedGuestPhysBits(host({ maxPhysAddr: 46 }))).toBe(46);
    expect(supportedGuestPhysBits(host({ maxPhysAddr: 52, maxTdpLevel: 5 }))).toBe(52);
  });
  it('the TD shared bit: bit 47 or 51 as a gfn bit, none for other types; isAliasGfn tests it', () => {
    const td48 = withVmDefaults({ name: 't', type: 'tdx' });
    const td52 = withVmDefaults({ name: 't', type: 'tdx', tdxGpaw: 52, host: { maxPhysAddr: 52, maxTdpLevel: 5 } });
    expect(tdxSharedBitGfn(td48)).toBe(2 ** 35);
    expect(tdxSharedBitGfn(td52)).toBe(2 ** 39);
    expect(tdxSharedBitGfn({ ...td48, tdxGpaw: undefined })).toBe(2 ** 35);
    expect(tdxSharedBitGfn(withVmDefaults({ name: 'd' }))).toBe(0);
    expect(isAliasGfn(2 ** 35 + 5, 2 ** 35)).toBe(true);
    expect(isAliasGfn(5, 2 ** 35)).toBe(false);
    expect(isAliasGfn(2 ** 36 + 5, 2 ** 35)).toBe(false);
    expect(isAliasGfn(2 ** 35, 0)).toBe(false);
  });
});

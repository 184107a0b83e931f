// x86 past 6.18 (kvm-prefault-spec-part2.md §17): no release from 6.19 to 7.4 changes what the
// ioctl answers, the roots or the SPTEs; only the pre-fault wrapper's name moves, because 6.19
// renamed kvm_tdp_map_page() to kvm_tdp_page_prefault() (6de2fb089bb2, "No functional change").
import { describe, expect, it } from 'vitest';
import { importScenario } from '../../src/labs/scenario-io.js';
import { createVm, withVmDefaults, type KernelVersion, type Operation } from '../../src/sim/index.js';
import { isX86Scenario, loadScenarios, scenarioVariants } from '../scenario-runner/runner.js';
import { GiB, makeVm, prefault } from './helpers.js';

const slot = [{ gpa: 0, size: GiB }];

describe('failure reasons name the pre-fault wrapper as the kernel calls it (kvm_tdp_map_page, kvm_tdp_page_prefault)', () => {
  const cases: [KernelVersion, string][] = [
    ['6.11', 'kvm_tdp_map_page'],
    ['6.18', 'kvm_tdp_map_page'],
    ['6.19', 'kvm_tdp_page_prefault'],
    ['7.4', 'kvm_tdp_page_prefault'],
  ];
  for (const [kernel, fn] of cases) {
    it(`${kernel}: G (shadow paging is not kvm_tdp_page_fault) names ${fn}`, () => {
      const r = prefault(makeVm({ kernel, host: { tdp: false } }, slot), 0, 0x1000);
      expect(r.errno).toBe('EOPNOTSUPP');
      expect(r.reason).toContain(`not kvm_tdp_page_fault (${fn})`);
    });
    it(`${kernel}: no memslot (RET_PF_EMULATE -> ENOENT) names ${fn}`, () => {
      const r = prefault(makeVm({ kernel }, slot), 4 * GiB, 0x1000);
      expect(r.errno).toBe('ENOENT');
      expect(r.reason).toContain(`which ${fn} turns into ENOENT`);
      expect(r.iterations.find((row) => row.errno)?.reason).toBe(r.reason);
    });
  }
  it('a kernel before 6.19 never names kvm_tdp_page_prefault, nor 6.19+ kvm_tdp_map_page', () => {
    const old = prefault(makeVm({ kernel: '6.18', host: { tdp: false } }, slot), 0, 0x1000);
    const now = prefault(makeVm({ kernel: '7.4', host: { tdp: false } }, slot), 0, 0x1000);
    expect(old.reason).not.toContain('kvm_tdp_page_prefault');
    expect(now.reason).not.toContain('kvm_tdp_map_page');
  });
});

/** Every answer, root and mapping of a scenario's operations on one kernel, as JSON text. */
function transcript(data: Record<string, unknown>, when: Record<string, unknown>, kernel: KernelVersion): string {
  const imported = importScenario(data, when);
  const vm = createVm(withVmDefaults({ ...imported.config, name: 'same', kernel }));
  const answers = [...imported.operations()].map(({ op }) => vm.apply(op as Operation));
  const roots = vm.roots();
  const mappings = roots.map((r) => vm.mappings(r.id, {}).mappings);
  return JSON.stringify({ answers, roots, mappings, capability: vm.capabilities() }, (_k, v: unknown) =>
    typeof v === 'bigint' ? `0x${v.toString(16)}` : v,
  );
}

describe('every scenario file answers on 6.19 and 7.4 as on 6.18, but for the renamed function (§17.1)', () => {
  for (const s of loadScenarios().filter(isX86Scenario)) {
    for (const when of scenarioVariants(s)) {
      const label = Object.keys(when).length ? ` with ${JSON.stringify(when)}` : '';
      it(`${s.data.id}${label}`, () => {
        const base = transcript(s.data, when, '6.18').replaceAll('kvm_tdp_map_page', 'kvm_tdp_page_prefault');
        expect(transcript(s.data, when, '6.19')).toBe(base);
        expect(transcript(s.data, when, '7.4')).toBe(base);
      });
    }
  }
});

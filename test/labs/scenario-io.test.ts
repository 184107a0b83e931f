// Export/import in the neutral scenario format: a VM's log round-trips to identical
// roots and leaves, the existing scenario runner accepts an export, the spec's own
// examples import and replay without differences, and tampered outcomes are reported.
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../src/labs/catalogue.js';
import type { Json } from '../../src/labs/scenario-format.js';
import { compare, exportScenario, finalStateOf, importScenario, replayScenario, type ImportedScenario } from '../../src/labs/scenario-io.js';
import { createVm, withVmDefaults, type MappingRow, type Vm } from '../../src/sim/index.js';
import { engineDriver } from '../scenario-runner/engine-driver.js';
import { isX86Scenario, loadScenarios, runScenario, scenarioVariants } from '../scenario-runner/runner.js';
import { startEngineSession } from '../../src/labs/solve.js';
import { ArchEngineVm } from '../../src/labs/arch-engine-vm.js';

/** Every operation the import builds, in order. */
const opsOf = (imported: ImportedScenario) => [...imported.operations()].map((o) => o.op);

const labs = loadCatalogue();

function snapshot(vm: Vm): { role: string; rows: MappingRow[] }[] {
  return vm
    .roots()
    .map((r) => {
      const rows: MappingRow[] = [];
      let cursor: string | undefined;
      do {
        const page = vm.mappings(r.id, { limit: 10_000, ...(cursor ? { cursor } : {}) });
        rows.push(...page.mappings);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return { role: `${r.level}/${r.smm}/${r.guestMode}/${r.mirror}/${r.addressSpace}/${r.adDisabled}`, rows };
    })
    .sort((a, b) => a.role.localeCompare(b.role));
}

/** Every VM of every lab after its scripted solution: a wide mix of logs to export. */
const solvedVms = labs.flatMap((lab) => {
  const s = startEngineSession(lab);
  for (const t of lab.tasks) for (const c of t.calls) s.run(c);
  // The x86 format: arm64/s390 lab VMs export through arch-scenario.ts.
  return Object.entries(s.vms).flatMap(([name, vm]) =>
    vm instanceof ArchEngineVm ? [] : [{ label: `${lab.id}/${name}`, vm, log: s.operations[name]! }],
  );
});

describe('export then import', () => {
  it.each(solvedVms.map((v) => [v.label, v] as const))('%s replays to identical roots and mappings', async (_label, { vm, log }) => {
    const scenario = exportScenario(vm.config, log, { finalState: finalStateOf(vm) });
    const imported = importScenario(JSON.parse(JSON.stringify(scenario)));
    expect(imported.config).toMatchObject({ type: vm.config.type, kernel: vm.config.kernel, prefaultPolicy: vm.config.prefaultPolicy });
    const replica = createVm(withVmDefaults(imported.config));
    const report = await replayScenario(imported, (op) => replica.apply(op));
    expect(report.differing).toEqual([]);
    expect(withVmDefaults(imported.config).host).toEqual(vm.config.host);
    expect(snapshot(replica)).toEqual(snapshot(vm));
    expect(replica.vcpus()).toEqual(vm.vcpus());
  });

  it.each(solvedVms.map((v) => [v.label, v] as const))('%s export runs in the existing scenario runner', async (_label, { vm, log }) => {
    const data = exportScenario(vm.config, log, { finalState: finalStateOf(vm) });
    await runScenario(engineDriver(), { file: 'export.json', data }, vm.config.kernel, {});
  });

  it('writes the neutral format: snake_case host, hoisted vCPUs, expect on every ioctl step', () => {
    const { vm, log } = solvedVms.find((v) => v.label === 'smm-address-space/vm')!;
    const s = exportScenario(vm.config, log, { finalState: finalStateOf(vm) });
    expect(s.host).toMatchObject({ vendor: 'intel', tdp_enabled: true, max_tdp_level: 4, forced_root_level: null, host_maxphyaddr: 46 });
    expect(s.kernel).toEqual({ min: '6.18', max: '6.18' });
    expect(s.vcpus).toEqual([{ id: 0, maxphyaddr: 46, smm: false, guest_mode: false, l1_uses_tdp_for_l2: true }]);
    const enoent = s.steps.find((st: Json) => st.op === 'pre_fault' && st.expect.ret === '-ENOENT');
    expect(enoent.expect).toMatchObject({ gpa_out: '0x1000', size_out: '0x1000', iterations: [{ result: 'EMULATE', errno: '-ENOENT' }] });
    expect(enoent.expect.mappings_added).toEqual([{ root: 'R1', gpa: '0x1000', level: '4K', count: 1, kind: 'mmio' }]);
    expect(enoent.expect.roots_created).toEqual(['R1']);
    expect(s.steps.filter((st: Json) => st.op === 'set_vcpu_mode').map((st: Json) => st.smm)).toEqual([true, false, true]);
    expect(s.expected_final_state.roots.map((r: Json) => r.role.smm)).toEqual([0, 1]);
  });
});

describe('importing the spec examples', () => {
  // The x86 files: arm64/s390 ones import through arch-scenario.ts (test/sim/examples.test.ts runs them).
  for (const s of loadScenarios().filter(isX86Scenario)) {
    for (const when of scenarioVariants(s)) {
      it(`${s.data.id} ${JSON.stringify(when)} replays without a differing step`, async () => {
        const imported = importScenario(s.data, when);
        const vm = createVm(withVmDefaults({ ...imported.config, kernel: '6.18' }));
        const report = await replayScenario(imported, (op) => vm.apply(op));
        expect(report.differing).toEqual([]);
        expect(opsOf(imported).some((op) => op.op === 'pre_fault')).toBe(true);
      });
    }
  }
});

describe('compare and replay report differences', () => {
  const { vm, log } = solvedVms.find((v) => v.label === 'huge-pages/vm')!;

  it('names each field that differs', async () => {
    const scenario = exportScenario(vm.config, log);
    const prefaults = scenario.steps.filter((st: Json) => st.op === 'pre_fault');
    prefaults[0].expect.ret = '-ENOENT';
    prefaults[1].expect.size_out = '0x1000';
    prefaults[2].expect.mappings_added[0].level = '2M';
    prefaults[3].expect.iterations[0].count = 7;
    const imported = importScenario(scenario);
    const replica = createVm(withVmDefaults(imported.config));
    const report = await replayScenario(imported, (op) => replica.apply(op));
    expect(report.differing.map((d) => d.origin)).toEqual(prefaults.slice(0, 4).map((p: Json) => `steps[${scenario.steps.indexOf(p)}]`));
    expect(report.differing[0]!.differences[0]).toMatch(/^ret: expected "-ENOENT", got 0/);
    expect(report.differing[1]!.differences[0]).toMatch(/^size_out: expected "0x1000", got "0x0"/);
    expect(report.differing[2]!.differences[0]).toMatch(/^mappings_added row 0/);
    expect(report.differing[3]!.differences[0]).toMatch(/^iteration 0/);
  });

  it('a refused operation is a difference, and replay goes on', async () => {
    const slot = { slot: 0, as_id: 0, guest_phys_addr: '0x0', size: '0x1000' };
    const imported = importScenario({
      name: 'x',
      steps: [
        { op: 'set_vcpu_mode', vcpu: 9, smm: true },
        { op: 'create_memslot', memslot: slot, expect: { ret: 0 } },
      ],
    });
    const replica = createVm(withVmDefaults(imported.config));
    const results: unknown[] = [];
    const report = await replayScenario(imported, (op) => {
      results.push(null); // stays null when the engine refuses the op
      return (results[results.length - 1] = replica.apply(op));
    });
    expect(report.differing).toHaveLength(1);
    expect(report.differing[0]!.differences[0]).toMatch(/^refused: vCPU 9 does not exist/);
    expect(results[1]).toMatchObject({ ret: 0, errno: null, memslot: { guestPhysAddr: '0x0', size: '0x1000' } });
  });

  it('with several in flight, hands each op to apply in order, never more than asked at once, and reports in order', async () => {
    const steps = Array.from({ length: 12 }, (_, i) => ({ op: 'set_vcpu_mode', vcpu: i, smm: true }));
    const imported = importScenario({ name: 'x', steps });
    const seen: number[] = [];
    let outstanding = 0;
    let most = 0;
    const report = await replayScenario(
      imported,
      async (op) => {
        seen.push((op as { vcpuId: number }).vcpuId);
        most = Math.max(most, ++outstanding);
        await new Promise((resolve) => setTimeout(resolve, (7 * seen.length) % 5)); // answers come back out of order
        outstanding -= 1;
        throw new Error(`vCPU ${(op as { vcpuId: number }).vcpuId} does not exist`);
      },
      4,
    );
    expect(seen).toEqual(steps.map((s) => s.vcpu));
    expect(most).toBe(4);
    expect(report.differing.map((d) => [d.index, d.origin, d.differences[0]])).toEqual(
      steps.map((s, i) => [i, `steps[${i}]`, `refused: vCPU ${s.vcpu} does not exist`]),
    );
  });

  it('compare with no expectation reports nothing', () => {
    expect(compare(null, { ret: -22, errno: 'EINVAL' })).toEqual([]);
    expect(compare({ ret: '-EINVAL' }, { ret: -22, errno: 'EINVAL' })).toEqual([]);
    expect(compare({ ret: 0 }, { ret: -22, errno: 'EINVAL' })).toEqual(['ret: expected 0, got "-EINVAL"']);
  });

  it('refuses a file without steps and an unknown step op', () => {
    expect(() => importScenario({ name: 'x' })).toThrow(/steps/);
    expect(() => importScenario({ steps: [{ op: 'reboot' }] })).toThrow(/unknown step op "reboot"/);
  });
});

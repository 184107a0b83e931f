// The TD's GPAW in the neutral scenario format (vm.tdx_gpaw): exported, imported, replayed.
import { describe, expect, it } from 'vitest';
import { exportScenario, finalStateOf, importScenario, replayScenario } from '../../src/labs/scenario-io.js';
import { createVm, withVmDefaults, type Operation, type OperationResult } from '../../src/sim/index.js';

const HOST52 = { maxPhysAddr: 52, maxTdpLevel: 5 as const };

/** A GPAW-52 TD with a memslot at bit 47 (only a GPAW-52 TD accepts it), finalized and pre-faulted. */
function gpaw52Log() {
  const vm = createVm(withVmDefaults({ name: 'td52', type: 'tdx', tdxGpaw: 52, host: HOST52 }));
  const ops: Operation[] = [
    { op: 'set_memslot', addressSpace: 0, slot: 1, region: { guestPhysAddr: '0x800000000000', size: '0x200000' } },
    { op: 'create_vcpu', vcpu: { id: 0 } },
    { op: 'finalize' },
    { op: 'pre_fault', vcpuId: 0, gpa: '0x800000000000', size: '0x1000', flags: '0x0', inject: {} },
  ];
  const log = ops.map((op) => ({ op, result: vm.apply(op) as OperationResult }));
  return { vm, log };
}

describe('vm.tdx_gpaw', () => {
  it('a TD exports its GPAW and imports it back; the replay matches, slot at bit 47 included', async () => {
    const { vm, log } = gpaw52Log();
    expect(log[0]!.result).toMatchObject({ ret: 0 });
    const scenario = exportScenario(vm.config, log, { finalState: finalStateOf(vm) });
    expect(scenario.vm.tdx_gpaw).toBe(52);
    const imported = importScenario(JSON.parse(JSON.stringify(scenario)));
    expect(imported.config.tdxGpaw).toBe(52);
    const replica = createVm(withVmDefaults(imported.config));
    expect((await replayScenario(imported, (op) => replica.apply(op))).differing).toEqual([]);
    expect(replica.roots().map((r) => r.level)).toEqual([5, 5]);
  });
  it('without tdx_gpaw an imported TD is GPAW 48, and the same log no longer replays (the slot is EINVAL)', async () => {
    const { vm, log } = gpaw52Log();
    const scenario = exportScenario(vm.config, log);
    delete scenario.vm.tdx_gpaw;
    const imported = importScenario(scenario);
    const replica = createVm(withVmDefaults(imported.config));
    expect(replica.config.tdxGpaw).toBe(48);
    const report = await replayScenario(imported, (op) => replica.apply(op));
    expect(report.differing[0]?.differences.join()).toMatch(/EINVAL/);
  });
  it('a VM that is not a TD has no tdx_gpaw', () => {
    expect(exportScenario(withVmDefaults({ name: 'x' }), []).vm).not.toHaveProperty('tdx_gpaw');
  });
});

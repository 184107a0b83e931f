// Contract v1.1 in the neutral scenario format: quirks_disabled, vm.dead / a mark_dead step,
// a memslot being deleted (per step, or memslot state invalid_deleting), and reasons.
import { describe, expect, it } from 'vitest';
import { exportScenario, finalStateOf, importScenario, replayScenario, type ImportedScenario } from '../../src/labs/scenario-io.js';
import { createVm, withVmDefaults, type Operation, type OperationResult } from '../../src/sim/index.js';
import { engineDriver } from '../scenario-runner/engine-driver.js';
import { runScenario } from '../scenario-runner/runner.js';

/** Every operation the import builds, in order. */
const opsOf = (imported: ImportedScenario) => [...imported.operations()].map((o) => o.op);

/** The fields of an exported step these tests read. */
type ExportedStep = { op: string; memslot?: { slot: number }; expect: { iterations?: unknown[] } & Record<string, unknown> };

function recorded(kernel: '6.17' | '6.18') {
  const config = withVmDefaults({ name: 'v11', kernel, quirksDisabled: ['SLOT_ZAP_ALL'] });
  const vm = createVm(config);
  const log: { op: Operation; result: OperationResult }[] = [];
  const run = (op: Operation) => log.push({ op, result: vm.apply(op) });
  run({ op: 'set_memslot', addressSpace: 0, slot: 0, region: { guestPhysAddr: '0x0', size: '0x200000' } });
  run({ op: 'set_memslot', addressSpace: 0, slot: 1, region: { guestPhysAddr: '0x200000', size: '0x200000' } });
  run({ op: 'set_memslot', addressSpace: 0, slot: 2, region: { guestPhysAddr: '0x800', size: '0x1000' } });
  run({ op: 'create_vcpu', vcpu: { id: 0 } });
  run({ op: 'pre_fault', vcpuId: 0, gpa: '0x1ff000', size: '0x2000', flags: '0x0', inject: { memslotBeingDeleted: { addressSpace: 0, slot: 1 } } });
  run({ op: 'pre_fault', vcpuId: 0, gpa: '0x200000', size: '0x1000', flags: '0x0', inject: { memslotBeingDeleted: { addressSpace: 0, slot: 1 } } });
  run({ op: 'delete_memslot', addressSpace: 0, slot: 0 });
  run({ op: 'mark_dead' });
  run({ op: 'pre_fault', vcpuId: 0, gpa: '0x0', size: '0x1000', flags: '0x0' });
  return { config, vm, log };
}

describe('v1.1 export and import', () => {
  it('quirksDisabled, the being-deleted slot, mark_dead and reasons survive a round trip', async () => {
    const { config, vm, log } = recorded('6.18');
    const scenario = JSON.parse(JSON.stringify(exportScenario(config, log, { finalState: finalStateOf(vm) })));
    expect(scenario.vm).toMatchObject({ quirks_disabled: ['SLOT_ZAP_ALL'], dead: false });
    const steps = scenario.steps as ExportedStep[];
    expect(steps.find((s) => s.op === 'create_memslot' && s.memslot?.slot === 2)!.expect).toEqual({
      ret: '-EINVAL',
      reason: expect.stringMatching(/guest_phys_addr is not page aligned \(kvm_set_memory_region\)/),
    });
    const eagain = steps.filter((s) => s.op === 'pre_fault')[1]!;
    expect(eagain).toMatchObject({
      memslot_being_deleted: { as_id: 0, slot: 1 },
      expect: { ret: '-EAGAIN', reason: expect.stringMatching(/KVM_MEMSLOT_INVALID/) },
    });
    expect(eagain.expect.iterations?.[0]).toMatchObject({ errno: '-EAGAIN', reason: expect.stringMatching(/kvm_mmu_faultin_pfn/) });
    expect(steps.at(-2)).toEqual({ op: 'mark_dead', expect: { ret: 0 } });
    expect(steps.at(-1)!.expect).toMatchObject({ ret: '-EIO', reason: expect.stringMatching(/vm_dead/) });

    const imported = importScenario(scenario);
    expect(imported.config.quirksDisabled).toEqual(['SLOT_ZAP_ALL']);
    expect(opsOf(imported).filter((o) => o.op === 'mark_dead')).toHaveLength(1);
    const replica = createVm(withVmDefaults(imported.config));
    const report = await replayScenario(imported, (op) => replica.apply(op));
    expect(report.differing).toEqual([]);
    expect(replica.dead).toBe(true);
    // The leaf-only zap kept the root: the same roots and mappings as the original.
    expect(replica.roots().map((r) => r.counts)).toEqual(vm.roots().map((r) => r.counts));
    await runScenario(engineDriver(), { file: 'v11.json', data: scenario }, '6.18', {});
  });

  it('before 6.18 the being-deleted slot exports as EINTR with its note, and replays the same', async () => {
    const { config, vm, log } = recorded('6.17');
    const scenario = JSON.parse(JSON.stringify(exportScenario(config, log, { finalState: finalStateOf(vm) })));
    const step = (scenario.steps as ExportedStep[]).filter((s) => s.op === 'pre_fault')[1]!;
    expect(step.expect).toMatchObject({ ret: '-EINTR', note: expect.stringMatching(/synchronize_srcu/) });
    const imported = importScenario(scenario);
    const replica = createVm(withVmDefaults(imported.config));
    expect((await replayScenario(imported, (op) => replica.apply(op))).differing).toEqual([]);
  });

  it('a hand-written file: vm.dead and a memslot in state invalid_deleting', () => {
    const base = {
      id: 'x',
      kernel: { min: '6.18', max: '6.18' },
      host: {},
      memslots: [{ slot: 0, as_id: 0, guest_phys_addr: '0x0', size: '0x200000', state: 'invalid_deleting' }],
      vcpus: [{ id: 0 }],
      steps: [{ op: 'pre_fault', vcpu: 0, gpa: '0x0', size: '0x1000', flags: 0, expect: { ret: '-EAGAIN' } }],
    };
    const deleting = importScenario({ ...base, vm: { type: 'default' } });
    const pf = opsOf(deleting).find((o) => o.op === 'pre_fault')!;
    expect(pf).toMatchObject({ inject: { memslotBeingDeleted: { addressSpace: 0, slot: 0 } } });
    const vm = createVm(withVmDefaults(deleting.config));
    const results = opsOf(deleting).map((op) => vm.apply(op));
    expect(results.at(-1)).toMatchObject({ errno: 'EAGAIN' });

    const dead = importScenario({ ...base, vm: { type: 'default', dead: true, quirks_disabled: ['KVM_X86_QUIRK_SLOT_ZAP_ALL'] } });
    expect(dead.config.quirksDisabled).toEqual(['SLOT_ZAP_ALL']);
    const ops = opsOf(dead).map((o) => o.op);
    expect(ops.indexOf('mark_dead')).toBeLessThan(ops.indexOf('pre_fault'));
  });
});

// Export a stored VM as a neutral scenario, and import one into a new VM: the import goes
// through the VmStore like any call (each step logged), and reports the steps whose
// outcome differs from the scenario's expectation.
import { exportScenario, importScenario, replayScenario, type ReplayReport } from '../labs/scenario-io.js';
import { SimError, withVmDefaults, type Operation } from '../sim/index.js';
import type { VmStore, VmView } from './vm-store.js';

export interface ImportReport {
  vm: VmView;
  steps: number;
  differing: ReplayReport['differing'];
  skipped: string[];
}

export class ScenarioService {
  constructor(private readonly vms: VmStore) {}

  /** The log with its logged results as `expect`, and the final state the same log rebuilt (the live VM). */
  async exportVm(vmId: string): Promise<Record<string, unknown>> {
    const view = await this.vms.getView(vmId);
    return this.vms.withLog(vmId, (vm, log) => exportScenario(withVmDefaults(view), log, { vm }));
  }

  async importVm(scenario: Record<string, unknown>, owner?: string): Promise<ImportReport> {
    let imported: ReturnType<typeof importScenario>;
    try {
      imported = importScenario(scenario);
    } catch (error) {
      throw new SimError('invalid', `not a scenario: ${(error as Error).message}`, 'steps');
    }
    const vm = await this.vms.create(imported.config, owner);
    const report = await replayScenario(imported, (op: Operation) => this.vms.runOperation(vm.id, op));
    return { vm: await this.vms.getView(vm.id), steps: imported.ops.length, differing: report.differing, skipped: imported.skipped };
  }
}

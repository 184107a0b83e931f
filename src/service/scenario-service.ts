// Export a stored VM as a neutral scenario, and import one into a new VM: the import goes
// through the LiveVms like any call (each step logged), and reports the steps whose
// outcome differs from the scenario's expectation.
import { DEFAULT_IMPORT_CAPS, exportScenario, importScenario, replayScenario, ScenarioError, type ReplayReport } from '../labs/scenario-io.js';
import type { Operation, OperationResult } from '../sim/index.js';
import { exportArchScenario, importArchScenario } from '../labs/arch-scenario.js';
import type { ScenarioFile } from '../labs/scenario-format.js';
import type { VmArch } from '../sim/index.js';
import { invalidInput, ServiceError } from './errors.js';
import { VM_ARCHES } from '../labs/vm-arch.js';
import type { Owner } from './owner.js';
import type { LiveVms, VmView } from './live-vms.js';

/**
 * Operations of one import sent ahead of their answers: the VM's queue keeps them in order
 * and their log entries share group commits, where one at a time would wait for a commit
 * each (on PostgreSQL, a round trip). Well under the per-VM queue bound.
 */
const IMPORT_IN_FLIGHT = 32;

export interface ImportReport {
  vm: VmView;
  steps: number;
  differing: ReplayReport['differing'];
  skipped: string[];
}

export class ScenarioService {
  constructor(private readonly vms: LiveVms) {}

  /**
   * The log with its logged results as `expect`, and the final state the same log rebuilt
   * (the live VM). A log longer than one import applies is refused (413) before it is read:
   * its export could not be imported, and building it costs time and memory in its length.
   */
  async exportVm(vmId: string): Promise<ScenarioFile> {
    const view = await this.vms.getView(vmId);
    const max = DEFAULT_IMPORT_CAPS.operations;
    const refusal = (entries: number) =>
      new ServiceError(
        413,
        'response-too-large',
        `the VM's log has ${entries} entries; an export holds at most ${max}, the most one import applies (list the log a page at a time with GET …/operations instead)`,
      );
    const { log, answer } = await this.vms.withLog<'finalState'>(vmId, () => ({ kind: 'finalState' }), { entries: max, refusal });
    return view.arch === 'x86' ? exportScenario(view, log, { finalState: answer }) : exportArchScenario(view, log, answer);
  }

  /**
   * Checks and counts the scenario's operations first (a 400 past the import caps, before
   * any VM exists), then applies them through the VM's queue, IMPORT_IN_FLIGHT at a time:
   * each runs in the engine host like any call, and is built only when its turn comes.
   */
  async importVm(scenario: Record<string, unknown>, owner: Owner | undefined): Promise<ImportReport> {
    const arch = scenario.arch ?? 'x86';
    if (!VM_ARCHES.includes(arch as VmArch)) throw invalidInput(`arch must be one of ${VM_ARCHES.join(', ')}`, 'arch');
    let imported: ReturnType<typeof importScenario>;
    try {
      imported = arch === 'x86' ? importScenario(scenario) : importArchScenario(scenario);
    } catch (error) {
      const field = error instanceof ScenarioError ? (error.field ?? 'steps') : 'steps';
      throw invalidInput(`not a scenario: ${(error as Error).message}`, field);
    }
    const vm = await this.vms.create(imported.config, owner);
    const apply = async (op: Operation) => JSON.parse((await this.vms.execute(vm.id, op)).json) as OperationResult;
    const report = await replayScenario(imported, apply, IMPORT_IN_FLIGHT);
    return { vm: await this.vms.getView(vm.id), steps: imported.count, differing: report.differing, skipped: imported.skipped };
  }
}

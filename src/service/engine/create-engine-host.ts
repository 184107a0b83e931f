// Which engine host the service runs (WORKERS: 0 = in this thread, N = N worker threads).
import type { Operation } from '../../sim/index.js';
import type { Applied, EngineHost, EngineQuery, QueryAnswers, QueryOf, ReplayEntry, ReplayOutcome } from './host.js';
import { InProcessEngineHost } from './in-process.js';
import type { EngineWorkerStats, EngineWorkerReport } from './engine-worker-stats.js';
import { WorkerEngineHost, type WorkerHostOptions } from './worker-host.js';
import type { EngineSeams } from './worker-protocol.js';

/** The in-process host, timing its engine calls as the one slot's busy time. */
class MeteredInProcessHost extends InProcessEngineHost implements EngineWorkerReport {
  private busyMs = 0;
  private inFlight = 0;
  private readonly vmIds = new Set<string>();

  private timed<T>(run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    this.inFlight += 1;
    // The engine runs synchronously inside run(): its promise is settled when run returns.
    const result = run();
    this.busyMs += performance.now() - started;
    this.inFlight -= 1;
    return result;
  }

  override create(...args: Parameters<EngineHost['create']>): Promise<void> {
    this.vmIds.add(args[0]);
    return this.timed(() => super.create(...args));
  }
  override replay(vmId: string, entries: readonly ReplayEntry[]): Promise<ReplayOutcome> {
    return this.timed(() => super.replay(vmId, entries));
  }
  override apply(vmId: string, op: Operation): Promise<Applied> {
    return this.timed(() => super.apply(vmId, op));
  }
  override query<K extends EngineQuery['kind']>(vmId: string, query: QueryOf<K>): Promise<QueryAnswers[K]> {
    return this.timed(() => super.query(vmId, query));
  }
  override drop(vmId: string): Promise<void> {
    this.vmIds.delete(vmId);
    return super.drop(vmId);
  }

  workerOf(): number {
    return 0;
  }

  stats(): EngineWorkerStats[] {
    return [{ worker: 0, vms: this.vmIds.size, inFlight: this.inFlight, busySeconds: this.busyMs / 1000, restarts: 0 }];
  }
}

export type EngineHostOptions = WorkerHostOptions;

/** workers 0: every VM in this thread; otherwise that many worker threads. */
export function createEngineHost(options: EngineHostOptions, seams?: EngineSeams): EngineHost & EngineWorkerReport {
  return options.workers === 0 ? new MeteredInProcessHost() : new WorkerEngineHost(options, seams);
}

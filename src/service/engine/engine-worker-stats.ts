// What an engine host tells the service about its engine workers: the worker a VM lives on
// (for the per-worker call bound) and each worker's load (for /metrics).

export interface EngineWorkerStats {
  /** 0..workers-1 (the in-process host counts as one engine worker: the main thread). */
  worker: number;
  vms: number;
  /** Requests sent to the worker and not answered yet. */
  inFlight: number;
  /** Time the worker's engine spent on requests since start. */
  busySeconds: number;
  /** Times the worker's thread died and was replaced. */
  restarts: number;
}

export interface EngineWorkerReport {
  workerOf(vmId: string): number;
  stats(): EngineWorkerStats[];
}

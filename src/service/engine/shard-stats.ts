// What an engine host tells the service about its shards (worker slots): the slot a VM
// lives on (for the per-worker queue bound) and each slot's load (for /metrics).

export interface ShardStats {
  /** 0..workers-1 (the in-process host is one slot: the main thread). */
  slot: number;
  vms: number;
  /** Requests sent to the slot and not answered yet. */
  inFlight: number;
  /** Time the slot's engine spent on requests since start. */
  busySeconds: number;
  /** Times the slot's worker died and was replaced. */
  restarts: number;
}

export interface ShardedHost {
  slotOf(vmId: string): number;
  stats(): ShardStats[];
}

// Back-pressure on the VMs' lanes: a call is refused at once (503 + Retry-After) when its
// VM already has `perVm` calls waiting, running or uncommitted, or the engine worker
// the VM lives on has `perWorker`, rather than letting the lanes, and memory, grow without
// end. A refused call never entered its lane, so it changed nothing and may simply be retried.
import type { QueueBounds } from '../config.js';
import { ServiceError } from './errors.js';

export interface QueueDepths {
  /** Per engine worker: calls waiting or running for its VMs. */
  byWorker: number[];
  /** The deepest VM queue right now. */
  deepestVm: number;
  /** Calls refused since start, by the bound that refused them. */
  refused: { vm: number; worker: number };
}

export class CallBounds {
  private readonly vmDepth = new Map<string, number>();
  private readonly workerDepth: number[] = [];
  private readonly refused = { vm: 0, worker: 0 };

  constructor(
    private readonly bounds: QueueBounds,
    /** The engine worker a key (VM id) lives on. */
    private readonly workerOf: (key: string) => number,
  ) {}

  /** Counts a call against the bounds until the returned leave() is called, or throws the 503 if a bound is reached. */
  admit(key: string): () => void {
    const depth = this.vmDepth.get(key) ?? 0;
    const slot = this.workerOf(key);
    const workerDepth = this.workerDepth[slot] ?? 0;
    if (depth >= this.bounds.perVm) throw this.refuse('vm', `this VM already has ${depth} calls queued (the bound is ${this.bounds.perVm})`);
    if (workerDepth >= this.bounds.perWorker)
      throw this.refuse('worker', `the engine worker of this VM already has ${workerDepth} calls queued (the bound is ${this.bounds.perWorker})`);
    this.vmDepth.set(key, depth + 1);
    this.workerDepth[slot] = workerDepth + 1;
    return () => {
      const left = (this.vmDepth.get(key) ?? 1) - 1;
      if (left === 0) this.vmDepth.delete(key);
      else this.vmDepth.set(key, left);
      this.workerDepth[slot] = (this.workerDepth[slot] ?? 1) - 1;
    };
  }

  depths(workers: number): QueueDepths {
    let deepestVm = 0;
    for (const d of this.vmDepth.values()) deepestVm = Math.max(deepestVm, d);
    return { byWorker: Array.from({ length: workers }, (_, i) => this.workerDepth[i] ?? 0), deepestVm, refused: { ...this.refused } };
  }

  private refuse(bound: 'vm' | 'worker', detail: string): ServiceError {
    this.refused[bound] += 1;
    return new ServiceError(503, 'overloaded', `${detail}; retry after ${this.bounds.retryAfterSeconds} s`, undefined, this.bounds.retryAfterSeconds);
  }
}

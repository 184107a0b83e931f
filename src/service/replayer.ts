// Rebuilds a VM's engine state from its committed log, through the engine host: at start-up
// for every stored VM, and after a failure left a VM ahead of its log (a failed group
// commit, an engine bug mid-call). Nothing else rebuilds state.
import type { FastifyBaseLogger } from 'fastify';
import type { VmRepository } from '../db/vm-repository.js';
import type { AnyVmConfig, VmLimits } from '../sim/index.js';
import type { EngineHost } from './engine/host.js';

export class Replayer {
  constructor(
    private readonly host: EngineHost,
    private readonly repo: VmRepository,
    private readonly limits: Partial<VmLimits>,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** A fresh engine VM with every logged operation applied in seq order; the last seq. */
  async rebuild(vmId: string, config: AnyVmConfig): Promise<number> {
    await this.host.create(vmId, config, this.limits);
    let lastSeq = 0;
    let diverged = 0;
    for await (const batch of this.repo.replayLog(vmId)) {
      const outcome = await this.host.replay(vmId, batch);
      diverged += outcome.diverged;
      for (const failure of outcome.failures)
        this.log.warn({ err: { message: failure.message }, vmId, seq: failure.seq }, 'a logged operation failed on replay');
      lastSeq = batch[batch.length - 1]?.seq ?? lastSeq;
    }
    // Only an engine change between runs makes replay differ from what was answered.
    if (diverged > 0) this.log.warn({ vmId, diverged }, 'replayed results differ from the logged ones');
    return lastSeq;
  }
}

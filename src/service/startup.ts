// Start-up: rebuild every stored VM from its log once, in the background, and say whether
// that is done (readyz, and the /v1 gate in plugins/app/persistence.ts).
import type { FastifyBaseLogger } from 'fastify';
import type { VmRepository } from '../db/vm-repository.js';
import type { AnyVmConfig } from '../sim/index.js';
import { withAnyVmDefaults, type AnyVmInput } from '../labs/vm-arch.js';
import { notReadyYet, ServiceError } from './errors.js';
import { newRecord, type VmRegistry } from './registry.js';
import type { Replayer } from './replayer.js';

/** VMs rebuilt at once at start-up (enough to keep every engine worker of a large machine busy). */
const REPLAY_CONCURRENCY = 16;

type LoadState = { state: 'idle' | 'loading' | 'ready' } | { state: 'failed'; error: Error };

export class StartupLoad {
  private loading: Promise<void> | undefined;
  private load: LoadState = { state: 'idle' };

  constructor(
    private readonly repo: VmRepository,
    private readonly registry: VmRegistry,
    private readonly replayer: Replayer,
    private readonly log: FastifyBaseLogger,
    /** False in cluster mode: there each VM is rebuilt when this instance takes its lease (LiveVms.adopt). */
    private readonly loadAll = true,
  ) {}

  /** Rebuilds every stored VM from its log (once); `gate` lets tests hold it back. */
  start(gate?: Promise<unknown>): Promise<void> {
    this.loading ??= (async () => {
      this.load = { state: 'loading' };
      await gate;
      await this.repo.ping();
      if (!this.loadAll) return;
      const pending = await this.repo.allVms();
      // A few VMs at a time: with engine workers, VMs on different workers replay in parallel.
      const next = async (): Promise<void> => {
        for (let stored = pending.shift(); stored; stored = pending.shift()) {
          // One VM that cannot be rebuilt keeps the service unready: loud rather than silently missing.
          const named = (error: Error) => new Error(`VM ${stored!.id} (${stored!.config.name}): ${error.message}`, { cause: error });
          let config: AnyVmConfig;
          let lastSeq: number;
          try {
            config = withAnyVmDefaults(stored.config as unknown as AnyVmInput);
            lastSeq = await this.replayer.rebuild(stored.id, config);
          } catch (error) {
            pending.length = 0; // the load has failed: start no more
            throw named(error as Error);
          }
          this.registry.add(newRecord({ id: stored.id, createdAt: stored.createdAt, owner: stored.owner, config }), lastSeq);
        }
      };
      await Promise.all(Array.from({ length: REPLAY_CONCURRENCY }, next));
    })().then(
      () => {
        this.load = { state: 'ready' };
        this.log.info({ vms: this.registry.count }, 'replay finished');
      },
      (error: Error) => {
        this.load = { state: 'failed', error };
        this.log.error({ err: error }, 'replay failed');
      },
    );
    return this.loading;
  }

  /** Resolves once the VMs are rebuilt; a 503 problem if that failed or never started. */
  async whenLoaded(): Promise<void> {
    if (this.load.state !== 'ready') await this.loading;
    const problem = this.notReady();
    if (problem) throw problem;
  }

  /** The 503 for a call now, or undefined once loaded: with Retry-After while loading, without once it failed. */
  notReady(): ServiceError | undefined {
    if (this.load.state === 'failed')
      return new ServiceError(503, 'not-ready', `rebuilding VMs from the database failed: ${this.load.error.message}`);
    if (this.load.state !== 'ready') return notReadyYet('VMs are still being rebuilt from their logs');
    return undefined;
  }

  get ready(): boolean {
    return this.load.state === 'ready';
  }
}

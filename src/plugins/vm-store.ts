// The live VMs and the only path that changes them: per-VM queue -> engine apply ->
// commit to the operation log -> answer. Nothing an operation changed is visible to any
// other request before its log entry is committed, because reads queue behind it too.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { listPage, type Page, type PageQuery } from '../db/list-page.js';
import { projectionAfter } from '../db/projections.js';
import type { StoredVm, VmRepository } from '../db/vm-repository.js';
import {
  createVm,
  SimError,
  withVmDefaults,
  type Operation,
  type OperationKind,
  type OperationResult,
  type Vm,
  type VmConfig,
  type VmConfigInput,
  type VmLimits,
} from '../sim/index.js';
import { HttpProblem } from './problem.js';
import { KeyedSerialQueue } from './serial-queue.js';

export type VmView = { id: string } & VmConfig & { createdAt: string; preFaultAllowed: boolean };

export interface LogEntryView {
  seq: number;
  kind: OperationKind;
  op: Operation;
  result: unknown;
  createdAt: string;
}

export interface VmStoreOptions {
  limits?: Partial<VmLimits>;
  maxVms: number;
  log: FastifyBaseLogger;
}

interface LiveVm {
  id: string;
  createdAt: Date;
  vm: Vm;
  /** seq of the last committed log entry (0: none). */
  lastSeq: number;
  /** Set when the VM could not be rebuilt after a failed commit: it refuses every call. */
  broken?: string;
}

type LoadState = { state: 'idle' | 'loading' | 'ready' } | { state: 'failed'; error: Error };

export class VmStore {
  private readonly live = new Map<string, LiveVm>();
  private readonly queue = new KeyedSerialQueue();
  private loading: Promise<void> | undefined;
  private load: LoadState = { state: 'idle' };
  private creating = 0;

  constructor(
    private readonly repo: VmRepository,
    private readonly options: VmStoreOptions,
  ) {}

  /** Rebuilds every stored VM from its log (once); `gate` lets tests hold it back. */
  startLoading(gate?: Promise<unknown>): Promise<void> {
    this.loading ??= (async () => {
      this.load = { state: 'loading' };
      await gate;
      await this.repo.ping();
      for (const stored of await this.repo.allVms()) {
        // One VM that cannot be rebuilt keeps the service unready: loud rather than silently missing.
        const record = await this.replay(stored).catch((error: Error) => {
          throw new Error(`VM ${stored.id} (${stored.config.name}): ${error.message}`, { cause: error });
        });
        this.live.set(stored.id, record);
      }
    })().then(
      () => {
        this.load = { state: 'ready' };
        this.options.log.info({ vms: this.live.size }, 'replay finished');
      },
      (error: Error) => {
        this.load = { state: 'failed', error };
        this.options.log.error({ err: error }, 'replay failed');
      },
    );
    return this.loading;
  }

  /** Resolves once the VMs are rebuilt; a 503 problem if that failed or never started. */
  async whenLoaded(): Promise<void> {
    if (this.load.state !== 'ready') await this.loading;
    if (this.load.state === 'failed') throw new HttpProblem(503, 'not-ready', `rebuilding VMs from the database failed: ${this.load.error.message}`);
    if (this.load.state !== 'ready') throw new HttpProblem(503, 'not-ready', 'VMs are not loaded yet');
  }

  get ready(): boolean {
    return this.load.state === 'ready';
  }

  get loadError(): Error | undefined {
    return this.load.state === 'failed' ? this.load.error : undefined;
  }

  get count(): number {
    return this.live.size;
  }

  async ping(): Promise<void> {
    await this.repo.ping();
  }

  async create(input: VmConfigInput): Promise<VmView> {
    if (this.live.size + this.creating >= this.options.maxVms)
      throw new SimError('limit', `this server holds at most ${this.options.maxVms} VMs; delete one first`);
    this.creating += 1;
    try {
      const config = withVmDefaults(input);
      const record: LiveVm = { id: randomUUID(), createdAt: new Date(), vm: createVm(config, this.options.limits), lastSeq: 0 };
      await this.repo.insertVm({ id: record.id, config, createdAt: record.createdAt });
      this.live.set(record.id, record);
      return this.view(record);
    } finally {
      this.creating -= 1;
    }
  }

  remove(id: string): Promise<void> {
    return this.queue.run(id, async () => {
      this.get(id);
      await this.repo.deleteVm(id);
      this.live.delete(id);
    });
  }

  async list(query: PageQuery): Promise<Page<VmView>> {
    if (query.cursor !== undefined && !this.live.has(query.cursor))
      throw new SimError('invalid', 'cursor does not name a page of this list (the VM it points at is gone?)', 'cursor');
    const page = await listPage(query, (after, take) => this.repo.listVms(after, take), (vm: StoredVm) => vm.id);
    // A VM deleted since the page was read is left out rather than failing the listing.
    const views = await Promise.all(page.items.map((stored) => this.getView(stored.id).catch(() => undefined)));
    return { items: views.filter((v): v is VmView => v !== undefined), nextCursor: page.nextCursor };
  }

  /** The VM's view (configuration, createdAt, preFaultAllowed). */
  getView(id: string): Promise<VmView> {
    return this.queue.run(id, () => this.view(this.get(id)));
  }

  /** Runs a read-only engine call in the VM's queue, after every earlier operation committed. */
  read<T>(id: string, inspect: (vm: Vm) => T): Promise<T> {
    return this.queue.run(id, () => inspect(this.get(id).vm));
  }

  /** The one path for every state-changing call: apply, commit to the log, then answer. */
  runOperation(id: string, op: Operation): Promise<OperationResult> {
    return this.queue.run(id, async () => {
      const record = this.get(id);
      let result: OperationResult;
      try {
        result = record.vm.apply(op);
      } catch (error) {
        if (error instanceof SimError) throw error; // refused: the engine changed nothing, nothing to log
        await this.rebuild(record); // an engine bug may have left a half-applied change
        throw error;
      }
      try {
        await this.repo.appendOperation(id, record.lastSeq + 1, op, JSON.stringify(result), projectionAfter(op, record.vm));
      } catch (error) {
        this.options.log.error({ err: error, vmId: id }, 'committing an operation failed');
        await this.rebuild(record); // memory must equal the database again
        throw new HttpProblem(500, 'storage-failure', 'the operation could not be committed; the VM is back at its last committed state');
      }
      record.lastSeq += 1;
      return result;
    });
  }

  async operations(id: string, query: PageQuery): Promise<Page<LogEntryView>> {
    this.get(id);
    if (query.cursor !== undefined && !/^[0-9]{1,15}$/.test(query.cursor))
      throw new SimError('invalid', 'cursor must be a nextCursor from an earlier page', 'cursor');
    const page = await listPage(query, (after, take) => this.repo.operations(id, Number(after ?? 0), take), (e) => String(e.seq));
    return { items: page.items.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })), nextCursor: page.nextCursor };
  }

  /** Waits for every queued call to finish (graceful shutdown). */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  private get(id: string): LiveVm {
    const record = this.live.get(id);
    if (!record) throw new SimError('not_found', `no VM with id ${id}`);
    if (record.broken) throw new HttpProblem(503, 'storage-failure', `VM ${id} is unavailable until the service restarts: ${record.broken}`);
    return record;
  }

  private view(record: LiveVm): VmView {
    return { id: record.id, ...record.vm.config, createdAt: record.createdAt.toISOString(), preFaultAllowed: record.vm.preFaultAllowed };
  }

  /** A fresh engine VM with every logged operation applied in seq order. */
  private async replay(stored: StoredVm): Promise<LiveVm> {
    const vm = createVm(withVmDefaults(stored.config), this.options.limits);
    let lastSeq = 0;
    let diverged = 0;
    for await (const batch of this.repo.replayLog(stored.id)) {
      for (const entry of batch) {
        try {
          if (JSON.stringify(vm.apply(entry.op)) !== entry.resultJson) diverged += 1;
        } catch (error) {
          diverged += 1;
          this.options.log.warn({ err: error, vmId: stored.id, seq: entry.seq }, 'a logged operation failed on replay');
        }
        lastSeq = entry.seq;
      }
    }
    // Only an engine change between runs makes replay differ from what was answered.
    if (diverged > 0) this.options.log.warn({ vmId: stored.id, diverged }, 'replayed results differ from the logged ones');
    return { id: stored.id, createdAt: stored.createdAt, vm, lastSeq };
  }

  private async rebuild(record: LiveVm): Promise<void> {
    try {
      const fresh = await this.replay({ id: record.id, config: record.vm.config, createdAt: record.createdAt });
      record.vm = fresh.vm;
      record.lastSeq = fresh.lastSeq;
    } catch (error) {
      record.broken = (error as Error).message;
      this.options.log.error({ err: error, vmId: record.id }, 'rebuilding a VM from its log failed');
    }
  }
}

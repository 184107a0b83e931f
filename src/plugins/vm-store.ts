// The live VMs and the only path that changes them: per-VM queue -> engine apply -> log
// entry enqueued for the next group commit -> answer once committed. The queue moves on as
// soon as an operation is applied (the next call on the VM may apply on top of it: its
// entry commits in the same or a later group), but every read first waits for the VM's
// pending commits, so no change is visible before its log entry is committed. A failed
// group marks its VMs stale; the next call on each rebuilds it from its log first.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { listPage, type Page, type PageQuery } from '../db/list-page.js';
import type { LogWriter, NewLease } from '../db/log-writer.js';
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
import { GroupCommit, LeaseLost } from './group-commit.js';
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

/** An operation's answer, committed: the engine result and the same result as JSON text (what was logged). */
export interface Committed {
  result: OperationResult;
  json: string;
}

export interface VmStoreOptions {
  limits?: Partial<VmLimits>;
  maxVms: number;
  maxOperationsPerVm: number;
  log: FastifyBaseLogger;
  /**
   * Cluster mode: VMs are loaded one at a time as this instance takes their leases (adopt),
   * not all at start; a new VM comes with this instance's lease (epoch 1); every log entry
   * carries its VM's epoch, and a fenced group drops the VM (evict).
   */
  lease?: NewLease;
}

interface LiveVm {
  id: string;
  createdAt: Date;
  owner: string | null;
  vm: Vm;
  /** seq of the last applied operation (its entry may still be waiting for its group). */
  lastSeq: number;
  /** Settles once every entry enqueued for this VM so far has committed or failed. */
  commits: Promise<unknown>;
  /** A group holding one of its entries failed: the engine is ahead of the log until rebuilt. */
  stale: boolean;
  /** Set when the VM could not be rebuilt: it refuses every call. */
  broken?: string;
  /** Cluster mode: the lease epoch this instance holds the VM under. */
  epoch?: number;
}

type LoadState = { state: 'idle' | 'loading' | 'ready' } | { state: 'failed'; error: Error };

const moved = (id: string) => new HttpProblem(503, 'not-ready', `VM ${id} has moved to another instance; retry the call`);

const storageFailure = () =>
  new HttpProblem(500, 'storage-failure', 'the operation could not be committed; the VM is back at its last committed state');

export class VmStore {
  private readonly live = new Map<string, LiveVm>();
  /** Cluster mode: VMs this instance lost the lease of (calls still queued for them answer 503, retry). */
  private readonly movedAway = new Set<string>();
  private readonly queue = new KeyedSerialQueue();
  readonly commits: GroupCommit;
  private loading: Promise<void> | undefined;
  private load: LoadState = { state: 'idle' };

  constructor(
    private readonly repo: VmRepository,
    private readonly writer: LogWriter,
    private readonly options: VmStoreOptions,
  ) {
    this.commits = new GroupCommit(
      writer,
      (vmIds, error) => this.groupFailed(vmIds, error),
      (vmIds) => this.evict([...vmIds]),
    );
  }

  /** Rebuilds every stored VM from its log (once); `gate` lets tests hold it back. */
  startLoading(gate?: Promise<unknown>): Promise<void> {
    this.loading ??= (async () => {
      this.load = { state: 'loading' };
      await gate;
      await this.repo.ping();
      if (this.options.lease) return; // cluster mode: each VM is loaded when this instance takes its lease
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

  /** Whether `owner` may see the VM (undefined owner: the server runs open and sees all). */
  visible(id: string, owner: string | undefined): boolean {
    const record = this.live.get(id);
    return record !== undefined && (owner === undefined || record.owner === owner);
  }

  async create(input: VmConfigInput, owner?: string): Promise<VmView> {
    if (this.live.size >= this.options.maxVms) throw new SimError('limit', `this server holds at most ${this.options.maxVms} VMs; delete one first`);
    const config = withVmDefaults(input);
    const record: LiveVm = {
      id: randomUUID(),
      createdAt: new Date(),
      owner: owner ?? null,
      vm: createVm(config, this.options.limits),
      lastSeq: 0,
      commits: Promise.resolve(),
      stale: false,
      epoch: this.options.lease && 1,
    };
    try {
      await this.writer.insertVm({ id: record.id, config, createdAt: record.createdAt, owner: record.owner }, this.options.lease);
    } catch (error) {
      this.options.log.error({ err: error }, 'storing a new VM failed');
      throw new HttpProblem(500, 'storage-failure', 'the VM could not be stored');
    }
    this.live.set(record.id, record);
    return this.view(record);
  }

  remove(id: string): Promise<void> {
    return this.queue.run(id, async () => {
      await this.settled(id);
      await this.writer.deleteVm(id);
      this.live.delete(id);
    });
  }

  async list(query: PageQuery, owner?: string): Promise<Page<VmView>> {
    if (query.cursor !== undefined && !this.visible(query.cursor, owner))
      throw new SimError('invalid', 'cursor does not name a page of this list (the VM it points at is gone?)', 'cursor');
    const page = await listPage(query, (after, take) => this.repo.listVms(after, take, owner), (vm: StoredVm) => vm.id);
    // A VM deleted since the page was read is left out rather than failing the listing.
    const views = await Promise.all(page.items.map((stored) => this.getView(stored.id).catch(() => undefined)));
    return { items: views.filter((v): v is VmView => v !== undefined), nextCursor: page.nextCursor };
  }

  /** The VM's view (configuration, createdAt, preFaultAllowed). */
  getView(id: string): Promise<VmView> {
    return this.queue.run(id, async () => this.view(await this.settled(id)));
  }

  /** Runs a read-only engine call in the VM's queue, after every earlier operation committed. */
  read<T>(id: string, inspect: (vm: Vm) => T): Promise<T> {
    return this.queue.run(id, async () => inspect((await this.settled(id)).vm));
  }

  /**
   * Runs `inspect` on the VM and its whole committed log together, inside the VM's queue,
   * so the state it sees is exactly the state that log rebuilds (export, lab grading).
   */
  withLog<T>(id: string, inspect: (vm: Vm, log: { op: Operation; result: unknown }[]) => T): Promise<T> {
    return this.queue.run(id, async () => {
      const record = await this.settled(id);
      const log: { op: Operation; result: unknown }[] = [];
      for await (const batch of this.repo.replayLog(id)) for (const e of batch) log.push({ op: e.op, result: JSON.parse(e.resultJson) });
      return inspect(record.vm, log);
    });
  }

  /** The one path for every state-changing call: apply, commit to the log, then answer. */
  async runOperation(id: string, op: Operation): Promise<OperationResult> {
    return (await this.execute(id, op)).result;
  }

  /** runOperation, also giving the result as the JSON text that was logged (sent as is). */
  async execute(id: string, op: Operation): Promise<Committed> {
    const applied = await this.queue.run(id, async () => {
      const record = await this.current(id);
      if (record.lastSeq >= this.options.maxOperationsPerVm)
        throw new SimError('limit', `a VM's operation log holds at most ${this.options.maxOperationsPerVm} entries; create a new VM`);
      let result: OperationResult;
      try {
        result = record.vm.apply(op);
      } catch (error) {
        if (error instanceof SimError) throw error; // refused: the engine changed nothing, nothing to log
        await record.commits; // an engine bug may have left a half-applied change: back to the log
        await this.rebuild(record);
        throw error;
      }
      const json = JSON.stringify(result);
      record.lastSeq += 1;
      const commit = this.commits.enqueue({ vmId: id, seq: record.lastSeq, op, resultJson: json, projection: projectionAfter(op, record.vm), epoch: record.epoch });
      record.commits = commit.catch(() => undefined);
      return { result, json, commit };
    });
    try {
      await applied.commit;
    } catch (error) {
      if (error instanceof LeaseLost) throw moved(id); // fenced: not written, and the VM is evicted
      throw storageFailure(); // groupFailed logged the cause once for the whole group
    }
    return { result: applied.result, json: applied.json };
  }

  async operations(id: string, query: PageQuery): Promise<Page<LogEntryView>> {
    await this.queue.run(id, () => this.settled(id));
    if (query.cursor !== undefined && !/^[0-9]{1,15}$/.test(query.cursor))
      throw new SimError('invalid', 'cursor must be a nextCursor from an earlier page', 'cursor');
    const page = await listPage(query, (after, take) => this.repo.operations(id, Number(after ?? 0), take), (e) => String(e.seq));
    return { items: page.items.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })), nextCursor: page.nextCursor };
  }

  /** Cluster mode: rebuilds a stored VM from its log now that this instance holds its lease at `epoch`. */
  adopt(id: string, epoch: number): Promise<void> {
    return this.queue.run(id, async () => {
      const stored = await this.repo.vm(id);
      if (!stored) return;
      const record = await this.replay(stored);
      record.epoch = epoch;
      this.live.set(id, record);
      this.movedAway.delete(id);
    });
  }

  /** Cluster mode: forgets VMs whose lease another instance holds now (their memory may be ahead of the log). */
  evict(ids: readonly string[]): void {
    for (const id of ids) {
      if (!this.live.delete(id)) continue;
      this.movedAway.add(id);
      this.options.log.warn({ vmId: id }, 'lease lost: VM dropped from this instance');
    }
  }

  /** Whether the VM is loaded here (cluster mode: this instance holds its lease). */
  has(id: string): boolean {
    return this.live.has(id);
  }

  /** Cluster mode: VM id -> epoch of every VM loaded here, for lease renewal. */
  epochs(): Map<string, number> {
    return new Map([...this.live].map(([id, r]) => [id, r.epoch ?? 0]));
  }

  /** Waits for every queued call and commits the last group (graceful shutdown). */
  async drain(): Promise<void> {
    await this.queue.drain();
    await this.commits.flush();
    await Promise.all([...this.live.values()].map((r) => r.commits));
  }

  /** The VM, rebuilt first if a failed group left it ahead of its log (call inside its queue). */
  private async current(id: string): Promise<LiveVm> {
    const record = this.get(id);
    if (record.stale) await this.rebuild(record);
    return this.get(id);
  }

  /** current(), after every change applied so far has committed: what a reader may see. */
  private async settled(id: string): Promise<LiveVm> {
    await this.get(id).commits;
    return this.current(id);
  }

  private get(id: string): LiveVm {
    const record = this.live.get(id);
    if (!record && this.movedAway.has(id)) throw moved(id);
    if (!record) throw new SimError('not_found', `no VM with id ${id}`);
    if (record.broken) throw new HttpProblem(503, 'storage-failure', `VM ${id} is unavailable until the service restarts: ${record.broken}`);
    return record;
  }

  private view(record: LiveVm): VmView {
    return { id: record.id, ...record.vm.config, createdAt: record.createdAt.toISOString(), preFaultAllowed: record.vm.preFaultAllowed };
  }

  private groupFailed(vmIds: Set<string>, error: Error): void {
    this.options.log.error({ err: error, vms: vmIds.size }, 'a group commit failed; its VMs are rebuilt from their logs');
    for (const id of vmIds) {
      const record = this.live.get(id);
      if (!record) continue;
      record.stale = true;
      // Rebuild now rather than on the VM's next call, so memory matches the database again.
      void this.queue.run(id, () => this.current(id)).catch(() => undefined);
    }
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
    return { id: stored.id, createdAt: stored.createdAt, owner: stored.owner, vm, lastSeq, commits: Promise.resolve(), stale: false };
  }

  private async rebuild(record: LiveVm): Promise<void> {
    try {
      const fresh = await this.replay({ id: record.id, config: record.vm.config, createdAt: record.createdAt, owner: record.owner });
      record.vm = fresh.vm;
      record.lastSeq = fresh.lastSeq;
      record.stale = false;
    } catch (error) {
      record.broken = (error as Error).message;
      this.options.log.error({ err: error, vmId: record.id }, 'rebuilding a VM from its log failed');
    }
  }
}

// The live VMs as a set: create, remove, list, adopt and evict, the VM quota and the
// per-worker bound. Every call on one VM (a change, a read) goes through that VM's lane
// (vm-lane.ts), which keeps the write path's guarantees: seq order is send order, nothing
// is visible before its log entry commits, and an answer computed on lost state is never
// logged. A failed group, an engine bug or a lost worker marks the VMs' lanes stale.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { ServiceConfig } from '../config.js';
import type { components } from '../contract/openapi-types.js';
import type { LogWriter, NewLease } from '../db/log-writer.js';
import { MAX_LOG_SEQ, type StoredVm, type VmRepository } from '../db/vm-repository.js';
import type { OperationTrace, TraceRange } from '../labs/trace.js';
import type { LoggedOperation } from '../labs/lab-types.js';
import { SimError, type Operation, type OperationKind, type VmConfig } from '../sim/index.js';
import type { EngineHost, EngineQuery, EngineState, QueryAnswers, QueryOf } from './engine/host.js';
import { invalidInput, ServiceError } from './errors.js';
import { GroupCommit } from './group-commit.js';
import { listPage, type Page, type PageQuery } from './list-page.js';
import { ANY_OWNER, storedOwner, type Owner } from './owner.js';
import { newRecord, VmRegistry } from './registry.js';
import { Replayer } from './replayer.js';
import { CallBounds, type QueueDepths } from './call-bounds.js';
import { KeyedSerialQueue } from './serial-queue.js';
import { StartupLoad } from './startup.js';
import { VmLane, type Committed, type VmRecord } from './vm-lane.js';
import { withAnyVmDefaults, type AnyVmInput } from '../labs/vm-arch.js';

type ViewState = Omit<EngineState, 'archView'>;
/** An x86 VM as the API shows it: its v1 view plus `arch`. */
type X86VmView = { id: string; arch: 'x86' } & VmConfig & { createdAt: string } & ViewState;
/** An arm64/s390 VM as the API shows it: the contract's `Vm` with its arch's host and VM objects. */
type ArchVmView = Omit<components['schemas']['Vm'], 'arch'> & { arch: 'arm64' | 's390' };
/** A VM as the API shows it. */
export type VmView = X86VmView | ArchVmView;

export interface LogEntryView {
  seq: number;
  kind: OperationKind;
  op: Operation;
  /** The engine's answer, as logged (a JSON object). */
  result: object;
  createdAt: string;
}

export interface LiveVmsOptions extends Pick<ServiceConfig, 'limits' | 'maxVms' | 'maxOperationsPerVm' | 'queueBounds'> {
  log: FastifyBaseLogger;
  /**
   * Cluster mode: VMs are loaded one at a time as this instance takes their leases (adopt),
   * not all at start; a new VM comes with this instance's lease (epoch 1); every log entry
   * carries its VM's epoch, and a group that fences a VM drops it here (moved).
   */
  lease?: NewLease | undefined;
  /** The engine worker a VM lives on (for the per-worker bound); one slot when absent. */
  workerOf?: (vmId: string) => number;
}

/** A bound on a whole-log read: a log longer than `entries` is not read; `refusal` says why. */
export interface LogLimit {
  entries: number;
  refusal: (entries: number) => Error;
}

export class LiveVms {
  private readonly registry: VmRegistry;
  private readonly bounds: CallBounds;
  /** adopt() runs one at a time per VM (its lane does not exist yet). */
  private readonly adopting = new KeyedSerialQueue();
  private readonly replayer: Replayer;
  readonly startup: StartupLoad;
  readonly commits: GroupCommit;

  constructor(
    private readonly repo: VmRepository,
    private readonly writer: LogWriter,
    private readonly host: EngineHost,
    private readonly options: LiveVmsOptions,
  ) {
    this.bounds = new CallBounds(options.queueBounds, options.workerOf ?? (() => 0));
    this.registry = new VmRegistry(options.maxVms, (record, lastSeq) => this.openLane(record, lastSeq));
    this.replayer = new Replayer(host, repo, options.limits, options.log);
    this.startup = new StartupLoad(repo, this.registry, this.replayer, options.log, options.lease === undefined);
    this.commits = new GroupCommit(
      writer,
      (vmIds, error) => this.groupFailed(vmIds, error),
      (vmIds) => this.evict([...vmIds]),
    );
  }

  /** Resolves once the VMs are rebuilt from their logs; a 503 problem if that failed. */
  whenLoaded(): Promise<void> {
    return this.startup.whenLoaded();
  }

  get count(): number {
    return this.registry.count;
  }

  async ping(): Promise<void> {
    await this.repo.ping();
  }

  /** Whether `owner` may see the VM (ANY_OWNER: the server runs open and sees all; undefined: none). */
  visible(id: string, owner: Owner | undefined): boolean {
    return this.registry.visible(id, owner);
  }

  async create(input: { name: string; arch?: unknown }, owner: Owner | undefined): Promise<VmView> {
    const stored = storedOwner(owner);
    this.registry.checkRoom();
    const config = withAnyVmDefaults(input as AnyVmInput);
    const record = newRecord({ id: randomUUID(), createdAt: new Date(), owner: stored, config, epoch: this.options.lease && 1 });
    await this.host.create(record.id, config, this.options.limits);
    try {
      this.registry.checkRoom(); // again: another create may have taken the last place meanwhile
      await this.writer.insertVm({ id: record.id, config, createdAt: record.createdAt, owner: record.owner }, this.options.lease);
    } catch (error) {
      await this.host.drop(record.id);
      if (error instanceof ServiceError) throw error;
      this.options.log.error({ err: error }, 'storing a new VM failed');
      throw new ServiceError(500, 'storage-failure', 'the VM could not be stored');
    }
    this.registry.add(record, 0);
    return view(record, await this.host.query(record.id, { kind: 'state' }));
  }

  async remove(id: string): Promise<void> {
    const lane = this.registry.get(id);
    await lane.read(async () => {
      await this.writer.deleteVm(id);
      this.registry.delete(id);
      lane.removed();
      await this.host.drop(id);
    });
  }

  async list(query: PageQuery, owner: Owner | undefined): Promise<Page<VmView>> {
    if (owner === undefined) return { items: [], nextCursor: null };
    if (query.cursor !== undefined && !this.visible(query.cursor, owner))
      throw invalidInput('cursor does not name a page of this list (the VM it points at is gone?)', 'cursor');
    const page = await listPage(
      query,
      (after, take) => this.repo.listVms(after, take, owner === ANY_OWNER ? undefined : owner),
      (vm: StoredVm) => vm.id,
    );
    // A VM deleted since the page was read is left out rather than failing the listing.
    const views = await Promise.all(page.items.map((stored) => this.getView(stored.id).catch(() => undefined)));
    return { items: views.filter((v): v is VmView => v !== undefined), nextCursor: page.nextCursor };
  }

  /** The VM's view (configuration, createdAt, preFaultAllowed). */
  async getView(id: string): Promise<VmView> {
    const lane = this.registry.get(id);
    return lane.read(async () => view(lane.record, await this.host.query(id, { kind: 'state' })));
  }

  /** A named engine read, in the VM's queue, after every earlier operation committed. */
  async query<K extends EngineQuery['kind']>(id: string, query: QueryOf<K>): Promise<QueryAnswers[K]> {
    return this.registry.get(id).read(() => this.host.query(id, query));
  }

  /**
   * The VM's whole committed log and a query answered on the state that log rebuilds,
   * together in one turn of the VM's queue (export, lab grading): `queryFor` builds the
   * query from the log (plain data for the engine host). `limit`: a log longer than
   * `limit.entries` is not read; `limit.refusal` is thrown instead.
   */
  withLog<K extends EngineQuery['kind']>(
    id: string,
    queryFor: (log: LoggedOperation[]) => QueryOf<K>,
    limit?: LogLimit,
  ): Promise<{ log: LoggedOperation[]; answer: QueryAnswers[K] }> {
    return this.registry.get(id).read(async (lastSeq) => {
      const log = await this.boundedLog(id, lastSeq, limit);
      return { log, answer: await this.host.query(id, queryFor(log)) };
    });
  }

  /** The VM's committed log, read in its queue; a log longer than `limit.entries` is not read, `limit.refusal` is thrown. */
  async committedLogOf(id: string, limit: LogLimit): Promise<LoggedOperation[]> {
    return this.registry.get(id).read((lastSeq) => this.boundedLog(id, lastSeq, limit));
  }

  private async boundedLog(id: string, lastSeq: number, limit: LogLimit | undefined): Promise<LoggedOperation[]> {
    if (limit && lastSeq > limit.entries) throw limit.refusal(lastSeq);
    return this.committedLog(id);
  }

  /**
   * The tracepoints log entry `seq` emitted, in the VM's queue: the engine host replays the
   * entries before it on a scratch VM, fed from the log a batch at a time. 404 when the log
   * has no entry `seq`; 400 (before any replay) when it is not a fault.
   */
  async trace(id: string, seq: number, range: TraceRange): Promise<OperationTrace> {
    return this.registry.get(id).read(async (lastSeq) => {
      if (seq > lastSeq) throw new SimError('not_found', `the VM's log has no entry ${seq} (it has ${lastSeq})`);
      let op: Operation | undefined;
      for await (const [entry] of this.repo.loggedOperations(id, seq - 1, seq)) op = entry;
      if (!op) throw new SimError('not_found', `the VM's log has no entry ${seq}`);
      return this.host.trace(id, { op, seq, limits: this.options.limits }, this.repo.loggedOperations(id, 0, seq - 1), range);
    });
  }

  private async committedLog(id: string): Promise<LoggedOperation[]> {
    const log: LoggedOperation[] = [];
    for await (const batch of this.repo.replayLog(id)) for (const e of batch) log.push({ op: e.op, result: JSON.parse(e.resultJson) });
    return log;
  }

  /** The one path for every state-changing call: applied, committed to the log, then answered (vm-lane.ts). */
  async execute(id: string, op: Operation): Promise<Committed> {
    return this.registry.get(id).submit(op);
  }

  async operations(id: string, query: PageQuery): Promise<Page<LogEntryView>> {
    await this.registry.get(id).read(() => undefined);
    if (query.cursor !== undefined && !(/^[0-9]{1,10}$/.test(query.cursor) && Number(query.cursor) <= MAX_LOG_SEQ))
      throw invalidInput('cursor must be a nextCursor from an earlier page', 'cursor');
    const page = await listPage(
      query,
      (after, take) => this.repo.operations(id, Number(after ?? 0), take),
      (e) => String(e.seq),
    );
    return { items: page.items.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })), nextCursor: page.nextCursor };
  }

  /** Cluster mode: rebuilds a stored VM from its log now that this instance holds its lease at `epoch`. */
  adopt(id: string, epoch: number): Promise<void> {
    return this.adopting.run(id, async () => {
      if (this.registry.find(id)?.record.epoch === epoch) return; // adopted already by a call that raced this one
      const stored = await this.repo.vm(id);
      if (!stored) return;
      const config = withAnyVmDefaults(stored.config as unknown as AnyVmInput);
      const lastSeq = await this.replayer.rebuild(id, config);
      this.registry.find(id)?.moved(); // a lane of an older lease: its waiting calls retry and reach the new one
      this.registry.add(newRecord({ id, createdAt: stored.createdAt, owner: stored.owner, config, epoch }), lastSeq);
    });
  }

  /** Cluster mode: drops VMs another instance holds the lease of now (their engine state may be ahead of the log). */
  evict(ids: readonly string[]): void {
    for (const id of ids) {
      if (!this.registry.moved(id)) continue;
      void this.host.drop(id);
      this.options.log.warn({ vmId: id }, 'lease lost: VM dropped from this instance');
    }
  }

  /** Whether the VM is loaded here (cluster mode: this instance holds its lease). */
  has(id: string): boolean {
    return this.registry.find(id) !== undefined;
  }

  /** Cluster mode: VM id -> epoch of every VM loaded here, for lease renewal. */
  epochs(): Map<string, number> {
    return new Map(this.registry.all().map((lane) => [lane.id, lane.record.epoch ?? 0]));
  }

  /** Waits for every queued call and commits the last group; the VMs stay (cluster mode hands leases back after this). */
  async quiesce(): Promise<void> {
    await this.adopting.drain();
    await Promise.all(this.registry.all().map((lane) => lane.idle()));
    await this.commits.flush();
  }

  /** quiesce(), then closes the engine host (graceful shutdown). */
  async drain(): Promise<void> {
    await this.quiesce();
    await this.host.close();
  }

  /** Calls queued per engine worker (and the deepest VM queue, the refusals), for /metrics. */
  queueDepths(workers: number): QueueDepths {
    return this.bounds.depths(workers);
  }

  /** The engine worker holding these VMs died: their state is gone, rebuild them from their logs. */
  enginesLost(vmIds: readonly string[], error: Error): void {
    this.options.log.error({ err: error, vms: vmIds.length }, 'an engine worker died; its VMs are rebuilt from their logs on a fresh one');
    this.rebuildSoon(vmIds);
  }

  private groupFailed(vmIds: Set<string>, error: Error): void {
    this.options.log.error({ err: error, vms: vmIds.size }, 'a group commit failed; its VMs are rebuilt from their logs');
    this.rebuildSoon(vmIds);
  }

  private rebuildSoon(vmIds: Iterable<string>): void {
    for (const id of vmIds) this.registry.find(id)?.lost();
  }

  private openLane(record: VmRecord, lastSeq: number): VmLane {
    return new VmLane(record, lastSeq, {
      engine: {
        apply: (op) => this.host.apply(record.id, op),
        rebuild: () => this.replayer.rebuild(record.id, record.config),
      },
      commits: this.commits,
      admit: () => this.bounds.admit(record.id),
      maxOperations: this.options.maxOperationsPerVm,
      log: this.options.log,
    });
  }
}

function view(record: VmRecord, state: EngineState): VmView {
  const engine = { preFaultAllowed: state.preFaultAllowed, dead: state.dead, guestPhysBits: state.guestPhysBits };
  const config = record.config;
  if (!('arch' in config)) return { id: record.id, arch: 'x86', ...config, createdAt: record.createdAt.toISOString(), ...engine };
  // The stored `arm64`/`s390` object is the input; the view's is the engine's (geometry, asceType).
  const { arch, arm64: _arm64, s390: _s390, ...common } = config as typeof config & { arm64?: unknown; s390?: unknown };
  return {
    id: record.id,
    arch,
    ...common,
    // One pre-fault design and no x86 quirks on these arches (contract v2): the fields keep their x86 defaults.
    prefaultPolicy: 'upstream',
    quirksDisabled: [],
    ...state.archView,
    createdAt: record.createdAt.toISOString(),
    ...engine,
  };
}

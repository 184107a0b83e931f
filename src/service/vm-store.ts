// The only path that changes a VM, and the reads that must not see ahead of it:
// per-VM queue -> sent to the engine host -> answers handled in the order sent -> log entry
// enqueued for the next group commit -> answer once committed. The queue moves on as soon
// as an operation is sent (the host applies a VM's operations in the order it gets them, so
// the next one applies on top of it and its entry commits in the same or a later group),
// but every read first waits for the VM's pending commits, so no change is visible before
// its log entry is committed. A failed group, an engine bug or a lost worker marks the VM
// stale and bumps its generation: the answers of operations sent before are not logged
// (they answer 500), and the next call rebuilds the VM from its log first.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { components } from '../contract/openapi-types.js';
import { NotWritten, type LogWriter, type NewLease } from '../db/log-writer.js';
import { MAX_LOG_SEQ, type StoredVm, type VmRepository } from '../db/vm-repository.js';
import type { OperationTrace, TraceRange } from '../labs/trace.js';
import type { LoggedOperation } from '../labs/lab-types.js';
import { SimError, type Operation, type OperationKind, type VmConfig, type VmLimits } from '../sim/index.js';
import type { Applied, EngineHost, EngineQuery, EngineState, QueryAnswers, QueryOf } from './engine/host.js';
import { invalidInput, limitExceeded, ServiceError } from './errors.js';
import { GroupCommit, LeaseLost } from './group-commit.js';
import { listPage, type Page, type PageQuery } from './list-page.js';
import { ANY_OWNER, storedOwner, type Owner } from './owner.js';
import { movedError, newRecord, VmRegistry, type VmRecord } from './registry.js';
import { Replayer } from './replayer.js';
import { BoundedKeyedQueue, DEFAULT_QUEUE_BOUNDS, type QueueBounds, type QueueDepths } from './bounded-queue.js';
import { StartupLoad } from './startup.js';
import { withAnyVmDefaults, type AnyVmInput } from './vm-arch.js';

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

/** An operation's answer, committed: the engine result as the JSON text that was logged. */
export interface Committed {
  json: string;
}

export interface VmStoreOptions {
  limits: Partial<VmLimits>;
  maxVms: number;
  maxOperationsPerVm: number;
  log: FastifyBaseLogger;
  /**
   * Cluster mode: VMs are loaded one at a time as this instance takes their leases (adopt),
   * not all at start; a new VM comes with this instance's lease (epoch 1); every log entry
   * carries its VM's epoch, and a group that fences a VM drops it here (moved).
   */
  lease?: NewLease;
  /** Calls a VM, and the VMs of one engine worker together, may have queued (more: 503). */
  queueBounds?: QueueBounds;
  /** The engine worker a VM lives on (for the per-worker bound); one slot when absent. */
  slotOf?: (vmId: string) => number;
}

/** An operation sent behind one whose change was lost (engine bug, lost worker, failed group): it was not logged. */
const appliedOnLostState = () =>
  new ServiceError(
    500,
    'internal',
    'an earlier call on this VM failed before it was logged; the VM is rebuilt from its log and this call was not kept; retry',
  );

const storageFailure = () =>
  new ServiceError(500, 'storage-failure', 'the operation could not be committed; the VM is back at its last committed state');

/** The group failed before its commit (a lost database session, a lock wait past lock_timeout): nothing written, worth retrying. */
const notWritten = () =>
  new ServiceError(
    503,
    'not-ready',
    'the operation was not applied: the database session was lost or a lock wait timed out before it was committed; the VM is back at its last committed state; retry',
    undefined,
    1,
  );

/** A bound on a whole-log read: a log longer than `entries` is not read; `refusal` says why. */
export interface LogLimit {
  entries: number;
  refusal: (entries: number) => Error;
}

export class VmStore {
  private readonly registry: VmRegistry;
  private readonly queue: BoundedKeyedQueue;
  private readonly replayer: Replayer;
  readonly startup: StartupLoad;
  readonly commits: GroupCommit;

  constructor(
    private readonly repo: VmRepository,
    private readonly writer: LogWriter,
    private readonly host: EngineHost,
    private readonly options: VmStoreOptions,
  ) {
    this.queue = new BoundedKeyedQueue(options.queueBounds ?? DEFAULT_QUEUE_BOUNDS, options.slotOf ?? (() => 0));
    this.registry = new VmRegistry(options.maxVms);
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
    const record = newRecord({ id: randomUUID(), createdAt: new Date(), owner: stored, config, lastSeq: 0, epoch: this.options.lease && 1 });
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
    this.registry.add(record);
    return view(record, await this.host.query(record.id, { kind: 'state' }));
  }

  remove(id: string): Promise<void> {
    return this.queue.run(id, async () => {
      await this.settled(id);
      await this.writer.deleteVm(id);
      this.registry.delete(id);
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
  getView(id: string): Promise<VmView> {
    return this.queue.run(id, async () => {
      const record = await this.settled(id);
      return view(record, await this.host.query(id, { kind: 'state' }));
    });
  }

  /** A named engine read, in the VM's queue, after every earlier operation committed. */
  query<K extends EngineQuery['kind']>(id: string, query: QueryOf<K>): Promise<QueryAnswers[K]> {
    return this.queue.run(id, async () => {
      await this.settled(id);
      return this.host.query(id, query);
    });
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
    return this.queue.run(id, async () => {
      const log = await this.boundedLog(id, limit);
      return { log, answer: await this.host.query(id, queryFor(log)) };
    });
  }

  /** The VM's committed log, read in its queue; a log longer than `limit.entries` is not read, `limit.refusal` is thrown. */
  committedLogOf(id: string, limit: LogLimit): Promise<LoggedOperation[]> {
    return this.queue.run(id, () => this.boundedLog(id, limit));
  }

  private async boundedLog(id: string, limit: LogLimit | undefined): Promise<LoggedOperation[]> {
    const record = await this.settled(id);
    if (limit && record.lastSeq > limit.entries) throw limit.refusal(record.lastSeq);
    return this.committedLog(id);
  }

  /**
   * The tracepoints log entry `seq` emitted, in the VM's queue: the engine host replays the
   * entries before it on a scratch VM, fed from the log a batch at a time. 404 when the log
   * has no entry `seq`; 400 (before any replay) when it is not a fault.
   */
  trace(id: string, seq: number, range: TraceRange): Promise<OperationTrace> {
    return this.queue.run(id, async () => {
      const record = await this.settled(id);
      if (seq > record.lastSeq) throw new SimError('not_found', `the VM's log has no entry ${seq} (it has ${record.lastSeq})`);
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

  /**
   * The one path for every state-changing call: apply, commit to the log, then answer.
   * Pipelined: the VM's queue moves on once the operation is sent to the engine host, so
   * a VM's calls of one turn reach its worker as one batch and their entries share one
   * group; the host applies them in the order sent and their answers are handled in that
   * order (record.answered), which is where each gets its seq.
   */
  async execute(id: string, op: Operation): Promise<Committed> {
    const leave = this.queue.admit(id); // counted until answered and committed, not just until sent
    try {
      const answer = await this.queue.runAdmitted(id, async () => {
        const record = await this.current(id);
        if (record.lastSeq + record.inFlight >= this.options.maxOperationsPerVm)
          throw limitExceeded(`a VM's operation log holds at most ${this.options.maxOperationsPerVm} entries; create a new VM`);
        const generation = record.generation;
        const reply = this.host.apply(id, op);
        reply.catch(() => undefined); // handled in logAnswer, which may get to it only after earlier answers
        record.inFlight += 1;
        const answered = record.answered.then(() => this.logAnswer(record, generation, op, reply));
        record.answered = answered.catch(() => undefined);
        const previous = record.commits;
        record.commits = answered
          .then((a) => a.commit)
          .then(
            () => previous,
            () => previous,
          );
        return { answered };
      });
      const { json, commit } = await answer.answered;
      try {
        await commit;
      } catch (error) {
        if (error instanceof LeaseLost) throw movedError(id); // fenced: not written, and the VM is dropped here
        throw error instanceof NotWritten ? notWritten() : storageFailure(); // groupFailed logged the cause once for the whole group
      }
      return { json };
    } finally {
      leave();
    }
  }

  /** One engine answer, in the order sent: a refusal is thrown back, a change gets its seq and goes to the next group. */
  private async logAnswer(
    record: VmRecord,
    generation: number,
    op: Operation,
    reply: Promise<Applied>,
  ): Promise<{ json: string; commit: Promise<void> }> {
    let out: Applied;
    try {
      out = await reply;
    } catch (error) {
      if (!(error instanceof SimError)) {
        // An engine bug or a lost worker may have left a half-applied change: nothing sent after it is logged, and the VM goes back to its log.
        if (generation === record.generation) this.rebuildSoon([record.id]);
        throw error;
      }
      if (generation !== record.generation) throw appliedOnLostState();
      throw error; // refused: the engine changed nothing, nothing to log
    } finally {
      record.inFlight -= 1;
    }
    if (generation !== record.generation) throw appliedOnLostState();
    record.lastSeq += 1;
    const commit = this.commits.enqueue({
      vmId: record.id,
      seq: record.lastSeq,
      op,
      resultJson: out.json,
      projection: out.projection,
      epoch: record.epoch,
    });
    return { json: out.json, commit };
  }

  async operations(id: string, query: PageQuery): Promise<Page<LogEntryView>> {
    await this.queue.run(id, () => this.settled(id));
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
    return this.queue.run(id, async () => {
      const stored = await this.repo.vm(id);
      if (!stored) return;
      const config = withAnyVmDefaults(stored.config as unknown as AnyVmInput);
      const lastSeq = await this.replayer.rebuild(id, config);
      this.registry.add(newRecord({ id, createdAt: stored.createdAt, owner: stored.owner, config, lastSeq, epoch }));
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
    return new Map(this.registry.all().map((r) => [r.id, r.epoch ?? 0]));
  }

  /** Waits for every queued call and commits the last group; the VMs stay (cluster mode hands leases back after this). */
  async quiesce(): Promise<void> {
    await this.queue.drain();
    await this.commits.flush();
    await Promise.all(this.registry.all().map((r) => r.commits));
  }

  /** quiesce(), then closes the engine host (graceful shutdown). */
  async drain(): Promise<void> {
    await this.quiesce();
    await this.host.close();
  }

  /** Calls queued per engine slot (and the deepest VM queue, the refusals), for /metrics. */
  queueDepths(slots: number): QueueDepths {
    return this.queue.depths(slots);
  }

  /** The engine worker holding these VMs died: their state is gone, rebuild them from their logs. */
  enginesLost(vmIds: readonly string[], error: Error): void {
    this.options.log.error({ err: error, vms: vmIds.length }, 'an engine worker died; its VMs are rebuilt from their logs on a fresh one');
    this.rebuildSoon(vmIds);
  }

  /** The VM, rebuilt first if a failed group left it ahead of its log (call inside its queue). */
  private async current(id: string): Promise<VmRecord> {
    const record = this.registry.get(id);
    if (record.stale) {
      // A lost engine worker may leave applied entries still on their way to the log: the
      // rebuild must read them, so it waits for them (after a failed group this is at once).
      await record.commits;
      await this.rebuild(record);
    }
    return this.registry.get(id);
  }

  /** current(), after every change applied so far has committed: what a reader may see. */
  private async settled(id: string): Promise<VmRecord> {
    await this.registry.get(id).commits;
    return this.current(id);
  }

  private groupFailed(vmIds: Set<string>, error: Error): void {
    this.options.log.error({ err: error, vms: vmIds.size }, 'a group commit failed; its VMs are rebuilt from their logs');
    this.rebuildSoon(vmIds);
  }

  private rebuildSoon(vmIds: Iterable<string>): void {
    for (const id of vmIds) {
      const record = this.registry.find(id);
      if (!record) continue;
      record.stale = true;
      record.generation += 1; // answers of operations sent before now are not logged
      // Rebuild now rather than on the VM's next call, so memory matches the database again.
      void this.queue.run(id, () => this.current(id)).catch(() => undefined);
    }
  }

  private async rebuild(record: VmRecord): Promise<void> {
    try {
      record.lastSeq = await this.replayer.rebuild(record.id, record.config);
      record.stale = false;
    } catch (error) {
      record.broken = (error as Error).message;
      this.options.log.error({ err: error, vmId: record.id }, 'rebuilding a VM from its log failed');
    }
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

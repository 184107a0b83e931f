// One live VM's write path, in one object: every call on the VM takes a turn here, in
// arrival order. A change is sent to the engine host in its turn and the turn ends (the
// host applies a VM's operations in the order it gets them, so the next one applies on top
// of it); its answer waits in the in-flight FIFO until every answer sent before it is in,
// gets its seq there and goes to the group commit; the caller hears once it is committed.
// A read takes its turn once every change sent before it has committed, so nothing is
// visible before its log entry. When state is lost (a failed group, an engine bug, a lost
// worker) the lane goes stale and bumps its generation: answers of changes sent before are
// not logged (they answer 500), and the next turn rebuilds the VM from its log first.
import type { FastifyBaseLogger } from 'fastify';
import { NotWritten, type LogEntryWrite } from '../db/log-writer.js';
import { SimError, type AnyVmConfig, type Operation } from '../sim/index.js';
import type { Applied } from './engine/host.js';
import { limitExceeded, movedError, ServiceError, vmNotFound } from './errors.js';
import { LeaseLost } from './group-commit.js';

/** What a VM is: its lane keeps what changes. */
export interface VmRecord {
  id: string;
  createdAt: Date;
  /** sha256 of the creating token; null when the server ran open. */
  owner: string | null;
  config: AnyVmConfig;
  /** Cluster mode: the lease epoch this instance holds the VM under (written with each log entry). */
  epoch?: number;
}

/** An operation's answer, committed: the engine result as the JSON text that was logged. */
export interface Committed {
  json: string;
}

/** What a lane needs of the engine host, for its one VM. */
interface LaneEngine {
  /** Applies the operation; a SimError is a refusal (nothing changed), any other error may have left a half-applied change. */
  apply(op: Operation): Promise<Applied>;
  /** A fresh engine VM rebuilt from the committed log; the last seq. */
  rebuild(): Promise<number>;
}

/** What a lane needs of the group commit: the entry commits with its group, or the promise rejects. */
interface LaneCommits {
  enqueue(entry: LogEntryWrite): Promise<void>;
}

export interface LaneOptions {
  engine: LaneEngine;
  commits: LaneCommits;
  /** Counts one call against the bounds (per VM, per engine worker) until the returned leave(); throws the 503 when one is reached. */
  admit: () => () => void;
  /** Log entries the VM may hold (more: 429). */
  maxOperations: number;
  log: Pick<FastifyBaseLogger, 'error'>;
}

/** live: memory matches the log; stale: it may be ahead, rebuilt on the next turn; the others refuse every call. */
type LaneState = { state: 'live' } | { state: 'stale' } | { state: 'broken'; reason: string } | { state: 'moved' } | { state: 'removed' };

/** A change sent to the engine, waiting for its answer and for the answers sent before it. */
interface InFlight {
  op: Operation;
  generation: number;
  answer?: { applied: Applied } | { error: unknown };
  resolve: (handled: { json: string; commit: Promise<void> }) => void;
  reject: (error: unknown) => void;
}

/** A change sent behind one whose state was lost (engine bug, lost worker, failed group): it was not logged. */
const appliedOnLostState = (): ServiceError =>
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

export class VmLane {
  private status: LaneState = { state: 'live' };
  /** Bumped whenever the engine state may be ahead of the log: answers of changes sent before are not logged. */
  private generation = 0;
  /** seq of the last change handed to the group commit (its entry may still be waiting for its group). */
  private seq: number;
  private readonly inFlight: InFlight[] = [];
  /** The end of the turn chain: every call takes its turn after the one before. */
  private tail: Promise<unknown> = Promise.resolve();
  /** Settles once every change sent so far has committed or failed: what a read waits for. */
  private barrier: Promise<unknown> = Promise.resolve();

  constructor(
    readonly record: VmRecord,
    /** The VM's log is committed up to this seq, nothing in flight. */
    lastSeq: number,
    private readonly options: LaneOptions,
  ) {
    this.seq = lastSeq;
  }

  get id(): string {
    return this.record.id;
  }

  /** A state-changing call: applied in its turn, logged in send order, answered once committed. */
  async submit(op: Operation): Promise<Committed> {
    const leave = this.options.admit(); // counted until committed, not just until sent
    try {
      // The turn ends once the change is sent (wrapped, so the turn does not wait for its answer).
      const sent = await this.turn(async () => {
        if (this.status.state !== 'live') await this.ensureLive();
        if (this.seq + this.inFlight.length >= this.options.maxOperations)
          throw limitExceeded(`a VM's operation log holds at most ${this.options.maxOperations} entries; create a new VM`);
        return this.send(op);
      });
      const { json, commit } = await sent.handled;
      try {
        await commit;
      } catch (error) {
        if (error instanceof LeaseLost) throw movedError(this.id); // fenced: not written, and the VM is dropped here
        throw error instanceof NotWritten ? notWritten() : storageFailure(); // the service logged the cause once for the whole group
      }
      return { json };
    } finally {
      leave();
    }
  }

  /** `fn` in the VM's turn, once every change sent before has committed; `fn` gets the committed seq. */
  async read<T>(fn: (lastSeq: number) => T | Promise<T>): Promise<T> {
    const leave = this.options.admit();
    try {
      return await this.turn(async () => {
        await this.barrier;
        if (this.status.state !== 'live') await this.ensureLive();
        return fn(this.seq);
      });
    } finally {
      leave();
    }
  }

  /** The engine state may be ahead of the log (failed group, engine bug, lost worker): changes sent before are not logged; rebuilt soon. */
  lost(): void {
    if (this.status.state !== 'live' && this.status.state !== 'stale') return;
    this.status = { state: 'stale' };
    this.generation += 1;
    // Rebuild now rather than on the VM's next call, so memory matches the database again.
    void this.turn(() => this.ensureLive()).catch(() => undefined);
  }

  /** Another instance holds the VM's lease now: every call still waiting here answers 503 (retry, and reach the owner). */
  moved(): void {
    this.status = { state: 'moved' };
  }

  /** The VM was deleted: every call still waiting here answers 404. */
  removed(): void {
    this.status = { state: 'removed' };
  }

  /** Settles once every turn queued so far (and any queued meanwhile) and every change sent has settled. */
  async idle(): Promise<void> {
    for (;;) {
      const { tail, barrier } = this;
      await tail;
      await barrier;
      if (tail === this.tail && barrier === this.barrier) return;
    }
  }

  private turn<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Sends the change and queues it for its answer; resolves once it is handled, in send order. */
  private send(op: Operation): { handled: Promise<{ json: string; commit: Promise<void> }> } {
    let entry!: InFlight;
    const handled = new Promise<{ json: string; commit: Promise<void> }>((resolve, reject) => {
      entry = { op, generation: this.generation, resolve, reject };
    });
    this.inFlight.push(entry);
    this.options.engine.apply(op).then(
      (applied) => this.answered(entry, { applied }),
      (error: unknown) => this.answered(entry, { error }),
    );
    const previous = this.barrier;
    this.barrier = handled
      .then((h) => h.commit)
      .then(
        () => previous,
        () => previous,
      );
    return { handled };
  }

  private answered(entry: InFlight, answer: NonNullable<InFlight['answer']>): void {
    entry.answer = answer;
    // Answers are handled in the order sent: an early answer waits for the ones before it.
    while (this.inFlight[0]?.answer) this.handle(this.inFlight.shift()!);
  }

  /** One answer, in send order: a refusal is thrown back, a change gets its seq and goes to the next group. */
  private handle(entry: InFlight): void {
    const answer = entry.answer!;
    const current = entry.generation === this.generation;
    if ('error' in answer) {
      if (!(answer.error instanceof SimError)) {
        // An engine bug or a lost worker may have left a half-applied change: nothing sent after it is logged.
        if (current) this.lost();
        entry.reject(answer.error);
      } else entry.reject(current ? answer.error : appliedOnLostState()); // refused: the engine changed nothing
      return;
    }
    if (!current) return entry.reject(appliedOnLostState());
    this.seq += 1;
    const commit = this.options.commits.enqueue({
      vmId: this.id,
      seq: this.seq,
      op: entry.op,
      resultJson: answer.applied.json,
      projection: answer.applied.projection,
      ...(this.record.epoch !== undefined && { epoch: this.record.epoch }),
    });
    entry.resolve({ json: answer.applied.json, commit });
  }

  /** Refuses the call if the VM is gone or broken; rebuilds it first if it is stale. */
  private async ensureLive(): Promise<void> {
    const status = this.status;
    if (status.state === 'moved') throw movedError(this.id);
    if (status.state === 'removed') throw vmNotFound(this.id);
    if (status.state === 'broken')
      throw new ServiceError(503, 'storage-failure', `VM ${this.id} is unavailable until the service restarts: ${status.reason}`);
    if (status.state === 'live') return;
    // A lost engine worker may leave applied entries still on their way to the log: the
    // rebuild must read them, so it waits for them (after a failed group this is at once).
    await this.barrier;
    const generation = this.generation;
    try {
      const seq = await this.options.engine.rebuild();
      // Lost again while rebuilding: stays stale and is rebuilt once more below.
      if (this.status.state === 'stale' && generation === this.generation) {
        this.seq = seq;
        this.status = { state: 'live' };
      }
    } catch (error) {
      if (this.status.state === 'stale') this.status = { state: 'broken', reason: (error as Error).message };
      this.options.log.error({ err: error, vmId: this.id }, 'rebuilding a VM from its log failed');
    }
    await this.ensureLive();
  }
}

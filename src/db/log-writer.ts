// The write side of a store, whichever database holds it: VM rows, and groups of
// operation-log entries (each group all committed or none, apart from fenced VMs). SQLite:
// sqlite-log-writer.ts; PostgreSQL: postgres-log-writer.ts.
import type { Operation, AnyVmConfig } from '../sim/index.js';
import type { Projection } from './projections.js';

/** One applied operation waiting for its log entry to be committed. */
export interface LogEntryWrite {
  vmId: string;
  seq: number;
  op: Operation;
  resultJson: string;
  projection: Projection;
  /** Cluster mode: the writer's lease epoch; the entry commits only while it is current. */
  epoch?: number;
}

export interface VmRowWrite {
  id: string;
  config: AnyVmConfig;
  createdAt: Date;
  /** sha256 of the creating token (null when the server runs open). */
  owner: string | null;
}

/** Cluster mode: the lease the creating instance takes with a new VM (epoch 1). */
export interface NewLease {
  owner: string;
  address: string;
  ttlMs: number;
}

export interface CommitOutcome {
  /** VMs whose entries were refused because their epoch is no longer the lease's (nothing of theirs written). */
  fenced: ReadonlySet<string>;
}

export interface LogWriter {
  insertVm(vm: VmRowWrite, lease?: NewLease): Promise<void>;
  deleteVm(id: string): Promise<void>;
  /** Commits every entry, in order, in one transaction; rejects (nothing written) if any fails. */
  commit(entries: readonly LogEntryWrite[], createdAt: Date): Promise<CommitOutcome>;
  close(): Promise<void>;
}

/**
 * A transaction failed before its COMMIT was sent (its session was lost, a lock wait timed
 * out): nothing of it was written, and the same calls may succeed when retried. A failure
 * during COMMIT is not this one: the outcome is unknown then.
 */
export class NotWritten extends Error {
  override name = 'NotWritten';
}

export const NOTHING_FENCED: CommitOutcome = { fenced: new Set() };

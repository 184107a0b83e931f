// Every setting the service takes, read and checked in this one place, defaults filled here
// once: loadConfig() from the environment (server.ts), configWith() from an object (tests,
// benches); build() takes the result as it is.
// README.md "## Environment" and "## Limits" document each variable (docs/connections.md the
// request timeout and the shutdown drain).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULT_LIMITS, type VmLimits } from './sim/index.js';

const DEFAULT_DATABASE_URL = 'file:./data/prefault-lab.db';

/** A bearer token's sha256 (hex): tokens are hashed as they are read and never kept in clear. */
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export interface QueueBounds {
  /** Calls one VM may have waiting, running or uncommitted. */
  perVm: number;
  /** Calls the VMs of one engine worker (or the main thread, in-process) may have together. */
  perWorker: number;
  /** Sent as Retry-After with the 503. */
  retryAfterSeconds: number;
}

const DEFAULT_QUEUE_BOUNDS: QueueBounds = { perVm: 256, perWorker: 4096, retryAfterSeconds: 1 };

/** Which database a DATABASE_URL names: "file:..." is SQLite (the default, one instance),
 * "postgres://..." or "postgresql://..." is PostgreSQL (one or several instances). */
export type StoreKind = 'sqlite' | 'postgres';

export const storeKind = (databaseUrl: string): StoreKind => (/^postgres(ql)?:\/\//.test(databaseUrl) ? 'postgres' : 'sqlite');

/** SQLite's synchronous pragma for the write connection (src/db/sqlite.ts explains the choice). */
export type SqliteSynchronous = 'NORMAL' | 'FULL';

export interface RateLimitConfig {
  /** Requests one client (token, else IP) may send per window; 0 turns rate limiting off. */
  max: number;
  windowMs: number;
}

/** Cluster mode: several instances on one PostgreSQL, one lease per VM (README "Scaling out"). */
export interface ClusterConfig {
  /** INSTANCE_ID: unique among running instances, kept across restarts of one instance. */
  instanceId: string;
  /** ADVERTISED_URL: where the other instances reach this one (default http://HOST:PORT). */
  advertisedUrl: string;
  /** LEASE_TTL_MS: how long a lease lasts unrenewed; the failover time after a crash. */
  leaseTtlMs: number;
  /** LEASE_RENEW_MS: how often the owner renews (default a third of the TTL). */
  leaseRenewMs: number;
  /** FORWARD_TIMEOUT_MS: a forwarded call unanswered this long answers 504. */
  forwardTimeoutMs: number;
  /**
   * PostgreSQL session limits of the log writer's and the lease connections (docs/cluster-failover.md):
   * PG_IDLE_IN_TRANSACTION_TIMEOUT_MS ends the session of an instance paused inside its group
   * transaction, so its lease-row locks go before its lease expires; PG_LOCK_TIMEOUT_MS bounds
   * every lock wait (a takeover behind such locks answers 503 + Retry-After instead of waiting).
   */
  sessionLimits: SessionLimits;
}

export interface SessionLimits {
  idleInTransactionTimeoutMs: number;
  lockTimeoutMs: number;
}

export interface ServiceConfig {
  port: number;
  host: string;
  databaseUrl: string;
  logLevel: string;
  /** Largest request body in bytes (larger: 413). */
  bodyLimit: number;
  /** VMs one server holds (more: 429). */
  maxVms: number;
  /** Log entries one VM may accumulate (more: 429); bounds disk use and replay time. */
  maxOperationsPerVm: number;
  /** Engine limits per VM: vCPUs and memslots (more: 429), page-table bytes (more: ENOMEM in the 200 body). */
  limits: VmLimits;
  rateLimit: RateLimitConfig;
  /** sha256 (hex) of every accepted bearer token; empty: the server runs open. */
  apiTokenHashes: string[];
  /** sha256 (hex) of the teachers' tokens (also valid /v1 tokens): quiz answer keys, everyone's progress. */
  teacherTokenHashes: string[];
  /** Display names of tokens (sha256 hex -> name), from `token name…` lines of the token files: what teachers see. */
  tokenNames: ReadonlyMap<string, string>;
  /** sha256 (hex) of METRICS_TOKEN, the one token /metrics then needs; undefined: /metrics is open. */
  metricsTokenHash?: string;
  sqliteSynchronous: SqliteSynchronous;
  /** After SIGTERM, exit(1) if closing takes longer than this. */
  shutdownTimeoutMs: number;
  /** After SIGTERM, calls still arriving on open connections answer 503 for up to this long before idle connections close. */
  shutdownDrainMs: number;
  /** A request's headers and body must arrive within this (else 408 and the connection closes). */
  requestTimeoutMs: number;
  /** Set (INSTANCE_ID given): cluster mode. */
  cluster?: ClusterConfig;
  /** Engine worker threads (VMs spread over them); 0 keeps every VM on the main thread. */
  workers: number;
  /** Nice value of the engine worker threads (Linux): the main thread, which every request passes through, goes first. */
  workerNice: number;
  /** Calls queued per VM and per engine worker before 503 + Retry-After. */
  queueBounds: QueueBounds;
  /** The folder of lab files (LABS_DIR); undefined: the bundled labs/. */
  labsDir?: string;
}

export const DEFAULT_CONFIG: ServiceConfig = {
  port: 3000,
  host: '127.0.0.1',
  databaseUrl: DEFAULT_DATABASE_URL,
  logLevel: 'info',
  bodyLimit: 64 * 1024,
  maxVms: 256,
  maxOperationsPerVm: 1_000_000,
  // 16 MiB = 4096 tables = 8 GiB of guest memory mapped with 4K pages (much more with huge
  // pages); it also bounds one pre-fault call's CPU time (about 0.8 s here when it is spent).
  limits: { ...DEFAULT_LIMITS, maxTableBytes: 16 * 1024 * 1024 },
  // About 1,700 requests/s per client: far above a person or a lab script, well below what
  // the service answers in total, so one client cannot take it all.
  rateLimit: { max: 100_000, windowMs: 60_000 },
  apiTokenHashes: [],
  teacherTokenHashes: [],
  tokenNames: new Map(),
  sqliteSynchronous: 'NORMAL',
  shutdownTimeoutMs: 10_000,
  // Long enough for a load balancer checking /readyz every 500 ms to see the 503s and move on
  // (deploy/haproxy.cfg: inter 500ms fall 2), short next to SHUTDOWN_TIMEOUT_MS.
  shutdownDrainMs: 1_000,
  // A 64 KiB body (the default BODY_LIMIT_BYTES) takes far less on any working link; a client
  // dripping bytes no longer holds a connection (and its memory) for ever.
  requestTimeoutMs: 30_000,
  // One engine per core: the main thread (HTTP, group commit) is light next to the engine.
  workers: availableParallelism(),
  // Measured on 2 cores (README "Running it for a class"): small calls with 2 workers ran at
  // 81% of the in-process throughput at nice 0, 93% at nice 5 (medians of 4 interleaved rounds).
  workerNice: 5,
  queueBounds: DEFAULT_QUEUE_BOUNDS,
};

/** Settings given as an object (tests, benches): the engine limits and queue bounds may be given in part. */
export type ConfigOverrides = Partial<Omit<ServiceConfig, 'limits' | 'queueBounds'>> & {
  limits?: Partial<VmLimits>;
  queueBounds?: Partial<QueueBounds>;
};

/** DEFAULT_CONFIG with `overrides` on top. */
export function configWith(overrides: ConfigOverrides = {}): ServiceConfig {
  const d = DEFAULT_CONFIG;
  return { ...d, ...overrides, limits: { ...d.limits, ...overrides.limits }, queueBounds: { ...d.queueBounds, ...overrides.queueBounds } };
}

/** A problem in the environment: the server refuses to start and says which variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name]?.trim().toUpperCase();
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw))
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(env[name])}`);
  return raw as T;
}

/** The hashes of one role's tokens, and the display names some of them carry. */
interface Tokens {
  hashes: string[];
  names: Map<string, string>;
}

/** `token name…` lines of a token file (# comments, blank lines skipped): the name is the rest of the line. */
function tokenFileLines(text: string): { token: string; name?: string }[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [, token = '', name = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
      return name === '' ? { token } : { token, name };
    });
}

/**
 * <NAME> (comma-separated) and <NAME>_FILE (one a line, `token name…`, # comments), hashed at
 * once: API_TOKENS for students, TEACHER_TOKENS for teachers. A name is what teachers see for
 * that token's work.
 */
function tokens(env: NodeJS.ProcessEnv, name: 'API_TOKENS' | 'TEACHER_TOKENS'): Tokens {
  const fromEnv = (env[name] ?? '').split(',').map((t) => t.trim());
  if (fromEnv.some((t) => /\s/.test(t))) throw new ConfigError(`a token in ${name} contains whitespace`);
  const lines: { token: string; name?: string }[] = fromEnv.map((token) => ({ token }));
  const file = env[`${name}_FILE`];
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`${name}_FILE ${file} cannot be read: ${(error as Error).message}`);
    }
    lines.push(...tokenFileLines(text));
  }
  const hashes = new Set<string>();
  const names = new Map<string, string>();
  for (const line of lines.filter((l) => l.token !== '')) {
    const hash = hashToken(line.token);
    hashes.add(hash);
    if (line.name !== undefined) names.set(hash, line.name);
  }
  return { hashes: [...hashes], names };
}

/** METRICS_TOKEN: the bearer token Prometheus sends to /metrics (unset: /metrics is open). */
function metricsToken(env: NodeJS.ProcessEnv): { metricsTokenHash?: string } {
  const token = env.METRICS_TOKEN?.trim();
  if (!token) return {};
  if (/\s/.test(token)) throw new ConfigError('METRICS_TOKEN contains whitespace');
  return { metricsTokenHash: hashToken(token) };
}

/** LABS_DIR, resolved against the working directory; a folder that is not there stops the start. */
function labsDir(env: NodeJS.ProcessEnv): { labsDir?: string } {
  const dir = env.LABS_DIR?.trim();
  if (!dir) return {};
  const path = resolve(dir);
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new ConfigError(`LABS_DIR is not a folder: ${path}`);
  return { labsDir: path };
}

const DEFAULT_LEASE_TTL_MS = 10_000;

function clusterConfig(env: NodeJS.ProcessEnv, databaseUrl: string, host: string, port: number): ClusterConfig | undefined {
  const instanceId = env.INSTANCE_ID?.trim();
  if (!instanceId) return undefined;
  if (storeKind(databaseUrl) !== 'postgres')
    throw new ConfigError('INSTANCE_ID (cluster mode) needs DATABASE_URL=postgresql://...: instances share one PostgreSQL');
  const leaseTtlMs = integer(env, 'LEASE_TTL_MS', DEFAULT_LEASE_TTL_MS, 500);
  const advertisedUrl = (env.ADVERTISED_URL?.trim() || `http://${host}:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(advertisedUrl) || /:0$/.test(advertisedUrl))
    throw new ConfigError(`ADVERTISED_URL must be http(s)://host:port with a fixed port, got ${JSON.stringify(advertisedUrl)}`);
  return {
    instanceId,
    advertisedUrl,
    leaseTtlMs,
    leaseRenewMs: integer(env, 'LEASE_RENEW_MS', Math.max(100, Math.floor(leaseTtlMs / 3)), 50, leaseTtlMs - 1),
    forwardTimeoutMs: integer(env, 'FORWARD_TIMEOUT_MS', 5_000, 100),
    sessionLimits: {
      // A third of the TTL: a paused owner's last renewal is at most LEASE_RENEW_MS (a third by
      // default) before its pause, so its session and locks are gone before its lease expires.
      idleInTransactionTimeoutMs: integer(env, 'PG_IDLE_IN_TRANSACTION_TIMEOUT_MS', Math.floor(leaseTtlMs / 3), 100, leaseTtlMs - 1),
      // A fifth: a renewal stuck behind a lock fails in time for the next one to run well within the TTL.
      lockTimeoutMs: integer(env, 'PG_LOCK_TIMEOUT_MS', Math.floor(leaseTtlMs / 5), 50, leaseTtlMs - 1),
    },
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const d = DEFAULT_CONFIG;
  const databaseUrl = env.DATABASE_URL?.trim() || d.databaseUrl;
  const host = env.HOST?.trim() || d.host;
  const port = integer(env, 'PORT', d.port, 0, 65535);
  const students = tokens(env, 'API_TOKENS');
  const teachers = tokens(env, 'TEACHER_TOKENS');
  return {
    port,
    host,
    databaseUrl,
    logLevel: env.LOG_LEVEL?.trim() || d.logLevel,
    bodyLimit: integer(env, 'BODY_LIMIT_BYTES', d.bodyLimit, 1024),
    maxVms: integer(env, 'MAX_VMS', d.maxVms, 1),
    // A VM's log seq runs up to this bound, and Operation.seq is a 32-bit Int on PostgreSQL.
    maxOperationsPerVm: integer(env, 'MAX_OPERATIONS_PER_VM', d.maxOperationsPerVm, 1, 2 ** 31 - 1),
    limits: {
      maxVcpus: integer(env, 'MAX_VCPUS_PER_VM', d.limits.maxVcpus, 1, 4096),
      maxMemslots: integer(env, 'MAX_MEMSLOTS_PER_VM', d.limits.maxMemslots, 1, 32764),
      maxTableBytes: integer(env, 'MAX_PAGE_TABLE_BYTES_PER_VM', d.limits.maxTableBytes, 4096),
    },
    rateLimit: {
      max: integer(env, 'RATE_LIMIT_MAX', d.rateLimit.max, 0),
      windowMs: integer(env, 'RATE_LIMIT_WINDOW_MS', d.rateLimit.windowMs, 1),
    },
    apiTokenHashes: students.hashes,
    teacherTokenHashes: teachers.hashes,
    tokenNames: new Map([...students.names, ...teachers.names]),
    ...metricsToken(env),
    sqliteSynchronous: oneOf(env, 'SQLITE_SYNCHRONOUS', d.sqliteSynchronous, ['NORMAL', 'FULL'] as const),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', d.shutdownTimeoutMs, 0),
    shutdownDrainMs: integer(env, 'SHUTDOWN_DRAIN_MS', d.shutdownDrainMs, 0),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', d.requestTimeoutMs, 100),
    cluster: clusterConfig(env, databaseUrl, host, port),
    workers: integer(env, 'WORKERS', d.workers, 0, 256),
    workerNice: integer(env, 'ENGINE_WORKER_NICE', d.workerNice, 0, 19),
    queueBounds: {
      perVm: integer(env, 'MAX_QUEUE_PER_VM', d.queueBounds.perVm, 1),
      perWorker: integer(env, 'MAX_QUEUE_PER_WORKER', d.queueBounds.perWorker, 1),
      retryAfterSeconds: integer(env, 'QUEUE_RETRY_AFTER_SECONDS', d.queueBounds.retryAfterSeconds, 1, 3600),
    },
    ...labsDir(env),
  };
}

// The environment is read in one place (src/config.ts): defaults, parsing, and a refusal
// naming the variable for anything malformed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, loadConfig } from '../../src/config.js';
import { hashToken } from '../../src/service/token-hash.js';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toMatchObject({
      bodyLimit: 65536,
      maxVms: 256,
      limits: { maxVcpus: 64, maxMemslots: 64, maxTableBytes: 16 * 1024 * 1024 },
      rateLimit: { max: 100_000, windowMs: 60_000 },
      apiTokenHashes: [],
      sqliteSynchronous: 'NORMAL',
      workers: availableParallelism(),
      workerNice: 5,
      queueBounds: { perVm: 256, perWorker: 4096, retryAfterSeconds: 1 },
      shutdownDrainMs: 1000,
      requestTimeoutMs: 30_000,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'file:/tmp/x.db',
      LOG_LEVEL: 'warn',
      BODY_LIMIT_BYTES: '4096',
      MAX_VMS: '3',
      MAX_OPERATIONS_PER_VM: '10',
      MAX_VCPUS_PER_VM: '2',
      MAX_MEMSLOTS_PER_VM: '5',
      MAX_PAGE_TABLE_BYTES_PER_VM: '1048576',
      RATE_LIMIT_MAX: '0',
      RATE_LIMIT_WINDOW_MS: '1000',
      SQLITE_SYNCHRONOUS: 'full',
      SHUTDOWN_TIMEOUT_MS: '500',
      SHUTDOWN_DRAIN_MS: '200',
      REQUEST_TIMEOUT_MS: '5000',
      API_TOKENS: ' one , two,,',
      TEACHER_TOKENS: 'prof',
      WORKERS: '3',
      ENGINE_WORKER_NICE: '10',
      MAX_QUEUE_PER_VM: '7',
      MAX_QUEUE_PER_WORKER: '70',
      QUEUE_RETRY_AFTER_SECONDS: '2',
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'file:/tmp/x.db',
      logLevel: 'warn',
      bodyLimit: 4096,
      maxVms: 3,
      maxOperationsPerVm: 10,
      limits: { maxVcpus: 2, maxMemslots: 5, maxTableBytes: 1048576 },
      rateLimit: { max: 0, windowMs: 1000 },
      apiTokenHashes: [hashToken('one'), hashToken('two')],
      teacherTokenHashes: [hashToken('prof')],
      tokenNames: new Map(),
      sqliteSynchronous: 'FULL',
      shutdownTimeoutMs: 500,
      shutdownDrainMs: 200,
      requestTimeoutMs: 5000,
      workers: 3,
      workerNice: 10,
      queueBounds: { perVm: 7, perWorker: 70, retryAfterSeconds: 2 },
    });
  });

  it('reads tokens from API_TOKENS_FILE too (one a line, # comments), keeping only hashes', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'prefault-lab-tokens-')), 'tokens');
    writeFileSync(file, '# lab group A\nalpha\n\n  beta  \n# gamma\n');
    expect(loadConfig({ API_TOKENS_FILE: file, API_TOKENS: 'alpha,delta' }).apiTokenHashes.sort()).toEqual(
      [hashToken('alpha'), hashToken('delta'), hashToken('beta')].sort(),
    );
    expect(() => loadConfig({ API_TOKENS_FILE: `${file}-missing` })).toThrow(/API_TOKENS_FILE/);
    expect(loadConfig({ TEACHER_TOKENS_FILE: file }).teacherTokenHashes.sort()).toEqual([hashToken('alpha'), hashToken('beta')].sort());
    expect(() => loadConfig({ TEACHER_TOKENS: 'a b' })).toThrow(/TEACHER_TOKENS/);
  });

  it("takes the rest of a token file line as that token's display name", () => {
    const dir = mkdtempSync(join(tmpdir(), 'prefault-lab-tokens-'));
    writeFileSync(join(dir, 'students'), '# class 3B\n  alpha   Ada Lovelace, Jr. \r\nbeta\n\ngamma\t"Grace" Hopper\n');
    writeFileSync(join(dir, 'teachers'), 'prof Prof. Turing\n');
    const config = loadConfig({ API_TOKENS_FILE: join(dir, 'students'), TEACHER_TOKENS_FILE: join(dir, 'teachers'), API_TOKENS: 'delta' });
    expect(config.apiTokenHashes.sort()).toEqual(['alpha', 'beta', 'gamma', 'delta'].map(hashToken).sort());
    expect(config.teacherTokenHashes).toEqual([hashToken('prof')]);
    expect(config.tokenNames).toEqual(
      new Map([
        [hashToken('alpha'), 'Ada Lovelace, Jr.'],
        [hashToken('gamma'), '"Grace" Hopper'],
        [hashToken('prof'), 'Prof. Turing'],
      ]),
    );
  });

  it('keeps only the hash of METRICS_TOKEN; unset, /metrics stays open', () => {
    expect(loadConfig({ METRICS_TOKEN: ' scrape ' }).metricsTokenHash).toBe(hashToken('scrape'));
    expect(loadConfig({}).metricsTokenHash).toBeUndefined();
    expect(() => loadConfig({ METRICS_TOKEN: 'a b' })).toThrow(/METRICS_TOKEN/);
  });

  it('refuses malformed values, naming the variable', () => {
    for (const [name, value] of [
      ['PORT', '70000'],
      ['MAX_VMS', '0'],
      ['MAX_VMS', 'many'],
      ['MAX_OPERATIONS_PER_VM', '2147483648'], // past Operation.seq's 32-bit Int on PostgreSQL
      ['BODY_LIMIT_BYTES', '1.5'],
      ['RATE_LIMIT_MAX', '-1'],
      ['SQLITE_SYNCHRONOUS', 'OFF'],
      ['MAX_PAGE_TABLE_BYTES_PER_VM', '1e309'],
      ['WORKERS', '-1'],
      ['ENGINE_WORKER_NICE', '20'],
      ['MAX_QUEUE_PER_VM', '0'],
      ['REQUEST_TIMEOUT_MS', '0'],
      ['SHUTDOWN_DRAIN_MS', '-1'],
    ] as const) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: value })).toThrow(name);
    }
    expect(() => loadConfig({ API_TOKENS: 'a b' })).toThrow(/whitespace/);
    expect(loadConfig({ MAX_OPERATIONS_PER_VM: '2147483647' }).maxOperationsPerVm).toBe(2 ** 31 - 1);
  });

  it('turns on cluster mode with INSTANCE_ID, on PostgreSQL only, with lease timing from the TTL', () => {
    const pg = { DATABASE_URL: 'postgresql://u@db:5432/lab', PORT: '3001', INSTANCE_ID: 'a' };
    expect(loadConfig({ DATABASE_URL: pg.DATABASE_URL }).cluster).toBeUndefined();
    expect(loadConfig(pg).cluster).toEqual({
      instanceId: 'a',
      advertisedUrl: 'http://127.0.0.1:3001',
      leaseTtlMs: 10_000,
      leaseRenewMs: 3333,
      forwardTimeoutMs: 5000,
      sessionLimits: { idleInTransactionTimeoutMs: 3333, lockTimeoutMs: 2000 },
    });
    expect(loadConfig({ ...pg, ADVERTISED_URL: 'http://10.0.0.2:3001/', LEASE_TTL_MS: '3000' }).cluster).toMatchObject({
      advertisedUrl: 'http://10.0.0.2:3001',
      leaseRenewMs: 1000,
      sessionLimits: { idleInTransactionTimeoutMs: 1000, lockTimeoutMs: 600 },
    });
    expect(loadConfig({ ...pg, PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: '700', PG_LOCK_TIMEOUT_MS: '300' }).cluster?.sessionLimits).toEqual({
      idleInTransactionTimeoutMs: 700,
      lockTimeoutMs: 300,
    });
    expect(() => loadConfig({ INSTANCE_ID: 'a' })).toThrow(/INSTANCE_ID .*postgresql/);
    expect(() => loadConfig({ ...pg, PORT: '0' })).toThrow(/ADVERTISED_URL/);
    expect(() => loadConfig({ ...pg, LEASE_RENEW_MS: '10000' })).toThrow(/LEASE_RENEW_MS/);
    // A session limit as long as the lease would let a paused owner's locks outlive it.
    expect(() => loadConfig({ ...pg, PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: '10000' })).toThrow(/PG_IDLE_IN_TRANSACTION_TIMEOUT_MS/);
    expect(() => loadConfig({ ...pg, PG_LOCK_TIMEOUT_MS: '0' })).toThrow(/PG_LOCK_TIMEOUT_MS/);
  });
});

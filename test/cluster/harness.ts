// Real processes for the cluster tests and bench: PostgreSQL (the test run's server, or a
// throwaway one), prefault-lab instances (src/server.ts in cluster mode) and HAProxy running
// deploy/haproxy.cfg with its bind and server lines pointed at them.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startServer, type ServerProcess } from '../durability/server-process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PG_THROWAWAY = join(ROOT, 'scripts', 'pg-throwaway.sh');
export const JSON_HEADERS = { 'content-type': 'application/json' };
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const HAPROXY = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p));

/** A call retried until it answers `expected` (or `deadline` passes: then it throws). */
export async function untilOk(url: string, init: RequestInit, expected: number, deadlineMs = 60_000): Promise<unknown> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const res = await fetch(url, init).catch(() => undefined);
    if (res?.status === expected) return res.json();
    if (Date.now() > end) throw new Error(`${init.method ?? 'GET'} ${url}: still ${res?.status ?? 'no answer'} after ${deadlineMs} ms`);
    await sleep(100);
  }
}

/** A VM with 1 GiB of 4K memory at gpa 0 and vCPU 0, created through `baseUrl`. */
export async function createLoadVm(baseUrl: string, name: string): Promise<string> {
  const vm = (await untilOk(`${baseUrl}/v1/vms`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ name }) }, 201)) as { id: string };
  await untilOk(
    `${baseUrl}/v1/vms/${vm.id}/memslots/0/0`,
    { method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify({ guestPhysAddr: '0x0', size: '0x40000000' }) },
    200,
  );
  await untilOk(`${baseUrl}/v1/vms/${vm.id}/vcpus`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ id: 0 }) }, 201);
  return vm.id;
}

/** Whether a process is stopped (SIGSTOP): state T in /proc/<pid>/stat. */
export const isStopped = (pid: number): boolean => /^ T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ''));

/** Milliseconds from `since` until a call on the VM through `baseUrl` is answered 200 by an instance other than `not` (throws after `deadlineMs`). */
export async function servedElsewhere(baseUrl: string, vmId: string, not: string, since: number, deadlineMs: number): Promise<number> {
  for (;;) {
    const res = await fetch(`${baseUrl}/v1/vms/${vmId}`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    await res?.arrayBuffer().catch(() => undefined);
    if (res?.status === 200 && res.headers.get('x-prefault-instance') !== not) return performance.now() - since;
    if (performance.now() - since > deadlineMs) throw new Error(`VM ${vmId} still not served by another instance than ${not} after ${deadlineMs} ms`);
    await sleep(100);
  }
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

/** A new empty database on the server `adminUrl` points at; its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/** A throwaway PostgreSQL (scripts/pg-throwaway.sh), for the bench; undefined if none can start. */
export function startThrowawayPostgres(): { url: string; stop: () => void } | undefined {
  try {
    const out = execFileSync(PG_THROWAWAY, ['start'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const dir = /PGDIR=(\S+)/.exec(out)![1]!;
    return { url: /DATABASE_URL=(\S+)/.exec(out)![1]!, stop: () => execFileSync(PG_THROWAWAY, ['stop', dir], { cwd: ROOT }) };
  } catch {
    return undefined;
  }
}

export interface Instance {
  id: string;
  port: number;
  url: string;
  process: ServerProcess;
}

export interface ClusterOptions {
  leaseTtlMs: number;
  env?: Record<string, string>;
}

/** Starts (or restarts, same id and port) one instance in cluster mode. */
export async function startInstance(databaseUrl: string, id: string, port: number, options: ClusterOptions): Promise<Instance> {
  const url = `http://127.0.0.1:${port}`;
  const process = await startServer(databaseUrl, {
    PORT: String(port),
    INSTANCE_ID: id,
    ADVERTISED_URL: url,
    LEASE_TTL_MS: String(options.leaseTtlMs),
    FORWARD_TIMEOUT_MS: '2000',
    RATE_LIMIT_MAX: '0',
    ...options.env,
  });
  return { id, port, url, process };
}

export async function stopInstance(instance: Instance, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (instance.process.child.exitCode !== null || instance.process.child.signalCode !== null) return;
  instance.process.child.kill(signal);
  await instance.process.exited;
}

export interface Haproxy {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** deploy/haproxy.cfg with its frontend on `port` and one server per instance (a, b, c, ...). */
function haproxyConfig(port: number, instances: readonly { id: string; port: number }[]): string {
  const shipped = readFileSync(join(ROOT, 'deploy/haproxy.cfg'), 'utf8');
  const lines = shipped.split('\n');
  const out: string[] = [];
  for (const line of lines) {
    if (/^\s+bind /.test(line)) out.push(`    bind 127.0.0.1:${port}`);
    else if (/^\s+server a /.test(line)) {
      const tracked = / track (\w+)\/a/.exec(line);
      for (const [n, inst] of instances.entries())
        out.push(`    server ${inst.id} 127.0.0.1:${inst.port} id ${n + 1} ${tracked ? `track ${tracked[1]}/${inst.id}` : 'check'}`);
    } else if (!/^\s+server /.test(line)) out.push(line);
  }
  return out.join('\n');
}

export async function startHaproxy(instances: readonly { id: string; port: number }[]): Promise<Haproxy> {
  if (!HAPROXY) throw new Error('haproxy is not installed');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'prefault-haproxy-'));
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(port, instances));
  const child = spawn(HAPROXY, ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const res = await fetch(`${url}/healthz`).catch(() => undefined);
    if (res?.status === 200) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`haproxy did not start:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Cluster figures (npm run bench:cluster), on real processes: PostgreSQL (BENCH_DATABASE_URL,
// else a throwaway cluster), 1, 2 and 3 instances in cluster mode behind HAProxy
// (deploy/haproxy.cfg), autocannon through HAProxy; then failover time after kill -9 of a
// VM's owner, and replay time of 100,000 logged operations from PostgreSQL. Everything
// (database, proxy, instances, load generator) shares this machine's cores: read the
// throughput as what this box gives, not as scaling. Nothing here is asserted.
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import {
  createDatabase,
  createLoadVm,
  freePort,
  HAPROXY,
  JSON_HEADERS,
  sleep,
  startHaproxy,
  startInstance,
  startThrowawayPostgres,
  stopInstance,
  type Haproxy,
  type Instance,
} from '../test/cluster/harness.js';
import { timeReplay } from './replay-db.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const VMS = 12;
const LEASE_TTL_MS = Number(process.env.BENCH_LEASE_TTL_MS ?? 3000);
const REPLAY_OPERATIONS = 100_000;

if (!HAPROXY) {
  console.error('bench:cluster needs haproxy (apt-get install haproxy)');
  process.exit(2);
}
const throwaway = process.env.BENCH_DATABASE_URL ? undefined : startThrowawayPostgres();
const adminUrl = process.env.BENCH_DATABASE_URL ?? throwaway?.url;
if (!adminUrl) {
  console.error('bench:cluster needs PostgreSQL: set BENCH_DATABASE_URL or install postgresql (scripts/pg-throwaway.sh)');
  process.exit(2);
}

interface Cluster {
  databaseUrl: string;
  instances: Instance[];
  haproxy: Haproxy;
  vmIds: string[];
}

async function startCluster(n: number): Promise<Cluster> {
  const databaseUrl = await createDatabase(adminUrl!, `bench_${randomUUID().replaceAll('-', '')}`);
  const ports = await Promise.all(Array.from({ length: n }, freePort));
  const instances = [await startInstance(databaseUrl, 'a', ports[0]!, { leaseTtlMs: LEASE_TTL_MS, env: { LOG_LEVEL: 'info' } })];
  instances.push(...(await Promise.all(ports.slice(1).map((port, i) => startInstance(databaseUrl, 'bc'[i]!, port, { leaseTtlMs: LEASE_TTL_MS })))));
  const haproxy = await startHaproxy(instances);
  const vmIds = await Promise.all(Array.from({ length: VMS }, (_, i) => createLoadVm(haproxy.url, `bench-${i}`)));
  return { databaseUrl, instances, haproxy, vmIds };
}

async function stopCluster(c: Cluster): Promise<void> {
  await c.haproxy.stop();
  await Promise.all(c.instances.map((i) => stopInstance(i, 'SIGKILL')));
}

async function throughput(c: Cluster): Promise<autocannon.Result> {
  let n = 0;
  return autocannon({
    url: c.haproxy.url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        headers: JSON_HEADERS,
        // Round-robin over the VMs, each call mapping the next two fresh 4K pages of its VM (as bench:http).
        setupRequest: (request) => {
          const vm = c.vmIds[n % VMS]!;
          const gpa = Math.floor(n / VMS) * 0x2000;
          n += 1;
          return { ...request, path: `/v1/vms/${vm}/vcpus/0/pre-fault`, body: `{"gpa":"0x${gpa.toString(16)}","size":"0x2000"}` };
        },
      },
    ],
  });
}

/** kill -9 of the instance owning `vmId`; milliseconds until a pre-fault on it through HAProxy answers 200 again. */
async function failover(c: Cluster, vmId: string, page: number): Promise<number> {
  const db = new pg.Client({ connectionString: c.databaseUrl });
  await db.connect();
  const { rows } = await db.query<{ owner: string }>('SELECT "owner" FROM "VmLease" WHERE "vmId" = $1', [vmId]);
  await db.end();
  const owner = c.instances.find((i) => i.id === rows[0]?.owner);
  if (!owner) throw new Error(`no live owner for VM ${vmId}`);
  const t0 = performance.now();
  await stopInstance(owner, 'SIGKILL');
  for (;;) {
    const res = await fetch(`${c.haproxy.url}/v1/vms/${vmId}/vcpus/0/pre-fault`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ gpa: `0x${(page * 0x1000).toString(16)}`, size: '0x1000' }),
    }).catch(() => undefined);
    if (res?.status === 200) return performance.now() - t0;
    await res?.arrayBuffer();
    await sleep(20);
  }
}

console.log(
  `${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at start; autocannon ${CONNECTIONS} connections, ${SECONDS} s per run, ${VMS} VMs, pre-faults of 2 fresh 4K pages`,
);
console.log('PostgreSQL, HAProxy, the instances and autocannon all share these cores.\n');
try {
  for (const n of [1, 2, 3]) {
    const c = await startCluster(n);
    try {
      const r = await throughput(c);
      console.log(
        `${n} instance${n > 1 ? 's' : ' '} behind HAProxy  ${Math.round(r.requests.average).toString().padStart(6)} req/s   p50 ${r.latency.p50.toFixed(1).padStart(6)} ms   p99 ${r.latency.p99.toFixed(1).padStart(6)} ms` +
          (r.non2xx || r.errors ? `   (non-2xx ${r.non2xx}, errors ${r.errors})` : ''),
      );
      if (n === 3) {
        const times: number[] = [];
        for (const [k, vmId] of c.vmIds.slice(0, 2).entries()) {
          times.push(await failover(c, vmId, 100_000 + k));
          const dead = c.instances.findIndex((i) => i.process.child.signalCode === 'SIGKILL');
          // Restart the killed instance (same id and port) before the next measurement.
          if (dead >= 0)
            c.instances[dead] = await startInstance(c.databaseUrl, c.instances[dead]!.id, c.instances[dead]!.port, { leaseTtlMs: LEASE_TTL_MS });
          await sleep(1500);
        }
        console.log(
          `failover after kill -9 of the owner: ${times.map((t) => `${Math.round(t)} ms`).join(', ')} (lease ${LEASE_TTL_MS} ms; a lease is renewed every ${Math.floor(LEASE_TTL_MS / 3)} ms)`,
        );
      }
    } finally {
      await stopCluster(c);
    }
  }
  const replayDb = await createDatabase(adminUrl, `replay_${randomUUID().replaceAll('-', '')}`);
  const replay = await timeReplay(REPLAY_OPERATIONS, 10, replayDb);
  console.log(
    `replay of ${REPLAY_OPERATIONS.toLocaleString('en')} logged operations (${replay.vmsLoaded} VMs) from PostgreSQL: ${Math.round(replay.ms)} ms`,
  );
  console.log(`\nload average ${loadavg()[0]!.toFixed(1)} at the end`);
} finally {
  throwaway?.stop();
}

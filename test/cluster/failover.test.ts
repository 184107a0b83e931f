// Several real instances on one real PostgreSQL, HAProxy in front, real signals: the
// guarantees docs/operations.md "Scaling out" states. Runs in the PostgreSQL pass (TEST_DATABASE=postgres);
// skipped, loudly, without PostgreSQL or HAProxy.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { loud } from '../helpers/postgres-setup.js';
import { queryRows, TEST_STORE } from '../helpers/store.js';
import {
  createDatabase,
  createLoadVm,
  freePort,
  HAPROXY,
  isStopped,
  JSON_HEADERS,
  servedElsewhere,
  sleep,
  startHaproxy,
  startInstance,
  stopInstance,
  untilOk,
  type Haproxy,
  type Instance,
} from './harness.js';
import { Load } from './load.js';

const LEASE_TTL_MS = 3000;
/** What a takeover may take past the lease: HAProxy's checks, the replay, a loaded CI machine. */
const TAKEOVER_MARGIN_MS = 4000;
/** A pre-fault at this gpa stops its owner inside the group transaction logging it (TEST_SIGSTOP_IN_GROUP_ON_GPA). */
const STOP_GPA = '0x7770000';
const available = TEST_STORE === 'postgres' && HAPROXY !== undefined;
if (!available)
  loud(
    `test/cluster SKIPPED: ${TEST_STORE !== 'postgres' ? 'runs only with TEST_DATABASE=postgres' : 'haproxy is not installed (apt-get install haproxy)'}`,
  );

describe.skipIf(!available)('a cluster of instances on one PostgreSQL', () => {
  let instances: Instance[] = [];
  let haproxy: Haproxy | undefined;
  let load: Load | undefined;

  afterEach(async () => {
    await load?.stop();
    await haproxy?.stop();
    for (const i of instances) {
      if (i.process.child.signalCode === null && i.process.child.exitCode === null) i.process.child.kill('SIGCONT');
      await stopInstance(i, 'SIGKILL');
    }
    [instances, haproxy, load] = [[], undefined, undefined];
  });

  async function cluster(n: number, env?: Record<string, string>): Promise<string> {
    const databaseUrl = await createDatabase(inject('postgresAdminUrl'), `c_${randomUUID().replaceAll('-', '')}`);
    const ports = await Promise.all(Array.from({ length: n }, freePort));
    const options = { leaseTtlMs: LEASE_TTL_MS, ...(env && { env }) };
    // One first, so the others find the database migrated (they would wait on its lock anyway).
    instances.push(await startInstance(databaseUrl, 'a', ports[0]!, options));
    instances.push(...(await Promise.all(ports.slice(1).map((port, i) => startInstance(databaseUrl, 'bcdef'[i]!, port, options)))));
    haproxy = await startHaproxy(instances);
    // The instances run in the repository (their cwd): none may take the URL for a SQLite path (it did: src/server.ts migrated it).
    expect(existsSync(resolve(import.meta.dirname, '../..', databaseUrl.replace(/^file:/, '')))).toBe(false);
    return databaseUrl;
  }

  const owners = async (databaseUrl: string) =>
    new Map((await queryRows<{ vmId: string; owner: string }>(databaseUrl, 'SELECT "vmId", "owner" FROM "VmLease"')).map((r) => [r.vmId, r.owner]));

  it('kill -9 of an instance: its VMs answer again within the lease time plus replay, and no acknowledged call is lost', async () => {
    const databaseUrl = await cluster(3);
    const vms = await Promise.all(Array.from({ length: 6 }, (_, i) => createLoadVm(haproxy!.url, `vm-${i}`)));
    load = new Load(() => haproxy!.url, vms);
    await sleep(2000);
    const before = await owners(databaseUrl);
    // The instance owning the most VMs dies without a word.
    const victim = instances.reduce((best, i) =>
      [...before.values()].filter((o) => o === i.id).length > [...before.values()].filter((o) => o === best.id).length ? i : best,
    );
    const orphans = vms.filter((id) => before.get(id) === victim.id);
    expect(orphans.length).toBeGreaterThan(0);
    await stopInstance(victim, 'SIGKILL');
    // Counted from the victim's exit: a call it answered while the signal was on its way is not
    // an answer "again" (on a loaded machine that window reached past every VM's next call).
    const killedAt = performance.now();
    // Its lease is still live: a call reaching another instance is forwarded to the dead owner,
    // whose connection is refused. Not applied, so a 502 that says so, with Retry-After.
    const other = instances.find((i) => i !== victim)!;
    const refused = await fetch(`${other.url}/v1/vms/${orphans[0]}`);
    expect(refused.status).toBe(502);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-prefault-forwarded-by')).toBe(other.id);
    expect(await refused.json()).toMatchObject({ type: 'urn:prefault-lab:problem:owner-unreachable', detail: expect.stringMatching(/not applied/) });
    const recoveredMs = await load.allAcknowledgedAfter(killedAt, LEASE_TTL_MS + 30_000);
    console.log(
      `kill -9: ${orphans.length} VMs moved; every VM answered again ${Math.round(recoveredMs)} ms after the kill (lease ${LEASE_TTL_MS} ms)`,
    );
    await sleep(1000);
    await load.stop();
    const after = await owners(databaseUrl);
    for (const id of orphans) expect(after.get(id)).not.toBe(victim.id);
    expect(load.acknowledgedCount).toBeGreaterThan(vms.length);
    await load.expectNothingLost(databaseUrl);
  }, 300_000);

  it("SIGSTOP past the lease, takeover, SIGCONT: the paused owner's late writes never reach the log under its old epoch", async () => {
    const databaseUrl = await cluster(2);
    const [a, b] = instances as [Instance, Instance];
    const vmId = await createLoadVm(a.url, 'paused'); // created on a: a owns it
    expect((await owners(databaseUrl)).get(vmId)).toBe('a');
    a.process.child.kill('SIGSTOP');
    // Writes sent straight to the paused owner wait in its socket backlog.
    const late = [1, 2, 3, 4, 5].map((page) =>
      fetch(`${a.url}/v1/vms/${vmId}/vcpus/0/pre-fault`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ gpa: `0x${(page * 0x100000).toString(16)}`, size: '0x1000' }),
      })
        .then(async (res) => ({ status: res.status, body: await res.text() }))
        .catch((error: Error) => ({ status: 0, body: error.message })),
    );
    await sleep(LEASE_TTL_MS + 1000);
    // b takes the expired lease, replays the log and serves the VM.
    const taken = (await untilOk(
      `${b.url}/v1/vms/${vmId}/vcpus/0/pre-fault`,
      { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ gpa: '0x0', size: '0x1000' }) },
      200,
    )) as { ret: number };
    expect(taken.ret).toBe(0);
    expect((await owners(databaseUrl)).get(vmId)).toBe('b');
    a.process.child.kill('SIGCONT');
    // Each late write is either refused (503: fenced by the epoch at commit, or a VM a has
    // dropped) or, if a learned of the takeover first (its renewal fails), forwarded to b and
    // written by b under the new epoch. Never written under a's old epoch.
    const answers = await Promise.all(late);
    const log = await queryRows<{ seq: number; kind: string; gpa: string | null; epoch: number }>(
      databaseUrl,
      'SELECT "seq", "kind", "gpa", "epoch" FROM "Operation" WHERE "vmId" = ? ORDER BY "seq"',
      vmId,
    );
    expect(log.filter((e) => e.epoch === 1).map((e) => [e.seq, e.kind])).toEqual([
      [1, 'set_memslot'],
      [2, 'create_vcpu'],
    ]);
    expect(log.slice(2).every((e) => e.epoch === 2 && e.kind === 'pre_fault')).toBe(true);
    const logged = new Set(log.map((e) => e.gpa && BigInt(e.gpa)));
    const refused = answers.filter((answer) => answer.status === 503).length;
    for (const [k, answer] of answers.entries()) {
      expect([200, 503], answer.body).toContain(answer.status);
      expect(logged.has(BigInt((k + 1) * 0x100000)), `late write ${k + 1} answered ${answer.status}`).toBe(answer.status === 200);
    }
    expect(log).toHaveLength(3 + answers.length - refused);
    console.log(`SIGSTOP: ${refused} of ${answers.length} late writes refused by a, the others forwarded to b (new epoch)`);
    // a gave the VM up: a call reaching it now is forwarded to b and sees b's state.
    const viaA = await untilOk(`${a.url}/v1/vms/${vmId}/operations`, {}, 200);
    expect((viaA as { operations: unknown[] }).operations).toHaveLength(log.length);
  }, 300_000);

  it('a rolling restart of every instance under load loses no acknowledged call', async () => {
    const databaseUrl = await cluster(3);
    const vms = await Promise.all(Array.from({ length: 6 }, (_, i) => createLoadVm(haproxy!.url, `vm-${i}`)));
    load = new Load(() => haproxy!.url, vms);
    await sleep(1000);
    for (const [n, instance] of instances.entries()) {
      await stopInstance(instance, 'SIGTERM'); // drains, commits, hands its leases back
      expect(instance.process.output()).toContain('"msg":"closed"');
      instances[n] = await startInstance(databaseUrl, instance.id, instance.port, { leaseTtlMs: LEASE_TTL_MS });
      await sleep(500);
    }
    const restartedAt = performance.now();
    await load.allAcknowledgedAfter(restartedAt, 60_000);
    await load.stop();
    await load.expectNothingLost(databaseUrl);
    console.log(
      `rolling restart: ${load.acknowledgedCount} acknowledged pre-faults, ${[...load.progress.values()].reduce((n, p) => n + p.failures, 0)} retried calls, longest gap per VM ${Math.round(Math.max(...[...load.progress.values()].map((p) => p.longestGapMs)))} ms`,
    );
  }, 600_000);

  it("HAProxy sends a new VM's calls straight to the instance that created it, and no client-sent forwarding mark is echoed", async () => {
    await cluster(3);
    const first = await Promise.all(
      Array.from({ length: 9 }, async (_, i) => {
        const created = await fetch(`${haproxy!.url}/v1/vms`, {
          method: 'POST',
          headers: JSON_HEADERS,
          body: JSON.stringify({ name: `sticky-${i}` }),
        });
        expect(created.status).toBe(201);
        const { id } = (await created.json()) as { id: string };
        const call = await fetch(`${haproxy!.url}/v1/vms/${id}/vcpus`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ id: 0 }) });
        expect(call.status).toBe(201);
        return { id, creator: created.headers.get('x-prefault-instance'), forwardedBy: call.headers.get('x-prefault-forwarded-by') };
      }),
    );
    expect(new Set(first.map((f) => f.creator)).size).toBeGreaterThan(1); // round-robin spread them
    const forwarded = first.filter((f) => f.forwardedBy !== null);
    console.log(`HAProxy stickiness: ${forwarded.length} of ${first.length} first calls forwarded`);
    expect(forwarded).toEqual([]);
    // The mark is the forwarding instance's alone: a client's own is never echoed, straight or through HAProxy.
    const owner = instances.find((i) => i.id === first[0]!.creator)!;
    for (const base of [owner.url, haproxy!.url]) {
      const res = await fetch(`${base}/v1/vms/${first[0]!.id}`, { headers: { 'x-prefault-forwarded-by': 'mallory' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-prefault-forwarded-by')).toBeNull();
    }
  }, 300_000);

  it('an owner paused inside its group transaction: its locks go with its session, the other VMs answer on, its VMs are taken over within the lease time', async () => {
    const databaseUrl = await cluster(3, { TEST_SIGSTOP_IN_GROUP_ON_GPA: STOP_GPA });
    const vms = await Promise.all(Array.from({ length: 6 }, (_, i) => createLoadVm(haproxy!.url, `vm-${i}`)));
    load = new Load(() => haproxy!.url, vms);
    await sleep(1000);
    const before = await owners(databaseUrl);
    const victim = instances.find((i) => i.id === before.get(vms[0]!))!;
    const theirs = vms.filter((id) => before.get(id) === victim.id);
    const others = vms.filter((id) => before.get(id) !== victim.id);
    // The victim stops itself right after its group locked the lease rows FOR SHARE.
    const stuck = fetch(`${victim.url}/v1/vms/${vms[0]}/vcpus/0/pre-fault`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ gpa: STOP_GPA, size: '0x1000' }),
    }).catch(() => undefined);
    for (let i = 0; !isStopped(victim.process.child.pid!); i++) {
      if (i > 200) throw new Error('the owner never stopped inside its group');
      await sleep(20);
    }
    const pausedAt = performance.now();
    load.resetGaps();
    // Forwarded to the paused owner, a call times out: a 504 saying the outcome is unknown.
    const other = instances.find((i) => i !== victim)!;
    const timedOut = await fetch(`${other.url}/v1/vms/${vms[0]}`);
    expect(timedOut.status).toBe(504);
    expect(timedOut.headers.get('retry-after')).toBe('1');
    expect(await timedOut.json()).toMatchObject({ type: 'urn:prefault-lab:problem:owner-timeout', detail: expect.stringMatching(/may or may not/) });
    // Every VM of the paused owner is served by another instance within the lease time plus the margin, while it stays paused.
    const takeovers = await Promise.all(
      theirs.map((id) => servedElsewhere(haproxy!.url, id, victim.id, pausedAt, LEASE_TTL_MS + TAKEOVER_MARGIN_MS)),
    );
    const gaps = load.gapsNow();
    const othersGap = Math.max(0, ...others.map((id) => gaps.get(id)!));
    console.log(
      `owner paused in its transaction: ${theirs.length} VMs taken over after ${takeovers.map(Math.round).join(', ')} ms; other VMs' longest gap ${Math.round(othersGap)} ms (lease ${LEASE_TTL_MS} ms)`,
    );
    expect(othersGap).toBeLessThan(LEASE_TTL_MS);
    expect(isStopped(victim.process.child.pid!)).toBe(true);
    victim.process.child.kill('SIGCONT');
    await stuck;
    await load.allAcknowledgedAfter(performance.now(), 30_000);
    await load.stop();
    await load.expectNothingLost(databaseUrl);
    const after = await owners(databaseUrl);
    for (const id of theirs) expect(after.get(id)).not.toBe(victim.id);
  }, 300_000);

  it('a non-owner paused: the VMs of the other instances answer on, and its own VMs are taken over within the lease time', async () => {
    const databaseUrl = await cluster(3);
    const vms = await Promise.all(Array.from({ length: 6 }, (_, i) => createLoadVm(haproxy!.url, `vm-${i}`)));
    load = new Load(() => haproxy!.url, vms);
    await sleep(1000);
    const before = await owners(databaseUrl);
    const paused = instances[2]!;
    const theirs = vms.filter((id) => before.get(id) === paused.id);
    const others = vms.filter((id) => before.get(id) !== paused.id);
    expect(others.length).toBeGreaterThan(0);
    paused.process.child.kill('SIGSTOP');
    const pausedAt = performance.now();
    load.resetGaps();
    const takeovers = await Promise.all(
      theirs.map((id) => servedElsewhere(haproxy!.url, id, paused.id, pausedAt, LEASE_TTL_MS + TAKEOVER_MARGIN_MS)),
    );
    await sleep(Math.max(0, LEASE_TTL_MS + 1000 - (performance.now() - pausedAt))); // at least one whole lease time paused
    const gaps = load.gapsNow();
    const othersGap = Math.max(...others.map((id) => gaps.get(id)!));
    console.log(
      `non-owner paused: other VMs' longest gap ${Math.round(othersGap)} ms; its ${theirs.length} VMs taken over after ${takeovers.map(Math.round).join(', ')} ms (lease ${LEASE_TTL_MS} ms)`,
    );
    expect(othersGap).toBeLessThan(LEASE_TTL_MS);
    paused.process.child.kill('SIGCONT');
    await load.allAcknowledgedAfter(performance.now(), 30_000);
    await load.stop();
    await load.expectNothingLost(databaseUrl);
  }, 300_000);
});

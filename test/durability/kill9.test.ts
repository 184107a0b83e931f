// Durability under `kill -9`: the real server, concurrent pre-faults on several VMs, the
// process killed mid-load; after a restart on the same database every acknowledged call is
// in its VM's log and the rebuilt roots and mappings equal a serial replay of that log.
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDbFile } from '../helpers/build.js';
import { acknowledged, createLoadVms, driveLoad } from './load.js';
import { startServer } from './server-process.js';
import { expectAllAcknowledgedLogged, expectReplayMatches, readLog } from './verify.js';

afterAll(removeTempDirs);

describe('kill -9 mid-load', () => {
  it('loses no acknowledged operation and leaves no torn state', async () => {
    const dbFile = tempDbFile();
    const first = await startServer(dbFile);
    const vmIds = await createLoadVms(first.baseUrl, 4);
    const load = driveLoad(first.baseUrl, vmIds, 32);
    await acknowledged(load, 400);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    await load.done; // every worker saw the connection go
    const acked = load.acked.slice();
    expect(acked.length).toBeGreaterThanOrEqual(400);

    const second = await startServer(dbFile);
    try {
      const logs = new Map(await Promise.all(vmIds.map(async (id) => [id, await readLog(second.baseUrl, id)] as const)));
      expectAllAcknowledgedLogged(acked, logs);
      for (const id of vmIds) await expectReplayMatches(second.baseUrl, id, logs.get(id)!);
      // Committed but unanswered calls may be logged too; nothing beyond what was sent.
      const logged = [...logs.values()].reduce((n, log) => n + log.length - 2, 0);
      expect(logged).toBeGreaterThanOrEqual(acked.length);
      expect(logged).toBeLessThanOrEqual(acked.length + load.refused.length);
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
    }
  }, 180_000); // two real server starts (tsx compiles the app and the engine workers): slow on a shared 2-core machine
});

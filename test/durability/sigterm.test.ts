// Graceful shutdown: SIGTERM during load stops accepting, lets in-flight calls finish and
// answer, commits the last group, closes the database and exits 0; every acknowledged call
// is in the log after a restart.
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDbFile } from '../helpers/build.js';
import { acknowledged, createLoadVms, driveLoad } from './load.js';
import { startServer } from './server-process.js';
import { expectAllAcknowledgedLogged, expectReplayMatches, readLog } from './verify.js';

afterAll(removeTempDirs);

describe('SIGTERM during load', () => {
  it('finishes in-flight calls, commits them, and exits 0', async () => {
    const dbFile = tempDbFile();
    const first = await startServer(dbFile);
    const vmIds = await createLoadVms(first.baseUrl, 3);
    const load = driveLoad(first.baseUrl, vmIds, 24);
    await acknowledged(load, 200);
    const ackedBeforeSignal = load.acked.length;
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    await load.done;
    expect(exit, first.output()).toEqual({ code: 0, signal: null });
    expect(first.output()).toMatch(/"msg":"closed"/);
    // Calls in flight when the signal came were answered, not dropped.
    expect(load.acked.length).toBeGreaterThan(ackedBeforeSignal);
    // After the signal new calls are refused (503 while closing, then no connection), never failed.
    expect(load.refused.every((status) => status === 503 || status === 0)).toBe(true);

    const second = await startServer(dbFile);
    try {
      const logs = new Map(await Promise.all(vmIds.map(async (id) => [id, await readLog(second.baseUrl, id)] as const)));
      expectAllAcknowledgedLogged(load.acked, logs);
      for (const id of vmIds) await expectReplayMatches(second.baseUrl, id, logs.get(id)!);
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
    }
  }, 180_000); // two real server starts (tsx compiles the app and the engine workers): slow on a shared 2-core machine
});

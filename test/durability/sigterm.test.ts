// Graceful shutdown: SIGTERM during load stops accepting, lets in-flight calls finish and
// answer, commits the last group, closes the database and exits 0; every acknowledged call
// is in the log after a restart. A call sent on an idle keep-alive connection after the
// signal is answered (503, Retry-After, Connection: close), not reset.
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
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

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One HTTP/1.1 exchange on an open socket (kept open): rejects if the server closes it first. */
function exchange(socket: Socket, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return reject(new Error('the server closed the connection before the call was sent'));
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const body = text.slice(end + 4);
      if (Buffer.byteLength(body) < Number(headers['content-length'] ?? 0)) return;
      done();
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body });
    };
    const onClose = () => {
      done();
      reject(new Error(`the server closed the connection instead of answering (it wrote: ${JSON.stringify(text)})`));
    };
    const done = () => {
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onClose);
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onClose);
    socket.write(request);
  });
}

describe('SIGTERM with idle keep-alive connections', () => {
  it('answers a call sent on one after the signal with 503, Retry-After and Connection: close, then exits 0', async () => {
    const server = await startServer(tempDbFile(), { SHUTDOWN_DRAIN_MS: '5000' });
    const { hostname, port } = new URL(server.baseUrl);
    const socket = connect(Number(port), hostname);
    try {
      const before = await exchange(socket, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(before.status).toBe(200);
      expect(before.headers.connection).toBe('keep-alive');

      server.child.kill('SIGTERM');
      while (!server.output().includes('"msg":"closing"')) await sleep(20);
      await sleep(200); // well inside the drain, and after the close began

      const after = await exchange(socket, 'GET /v1/vms HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(after.status, after.body).toBe(503);
      expect(after.headers['retry-after']).toBe('1');
      expect(after.headers.connection).toBe('close');
      expect(after.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(after.body)).toMatchObject({ type: 'urn:prefault-lab:problem:not-ready', status: 503 });
    } finally {
      socket.destroy();
    }
    expect(await server.exited, server.output()).toEqual({ code: 0, signal: null });
  }, 120_000);
});

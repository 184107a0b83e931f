// `npm start` as users run it: the compiled server (dist/, engine workers included) runs as
// npm's own child, so a SIGTERM to npm reaches it and it shuts down gracefully instead of
// being orphaned behind a shell.
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDbFile } from '../helpers/build.js';
import { createLoadVms } from './load.js';
import { startServer } from './server-process.js';

afterAll(removeTempDirs);

/** Resolves true if something accepts connections on the port. */
const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** A process's children (Linux), or [] where /proc is not there. */
function childPids(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number) : [];
}

const commandLine = (pid: number): string => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();

function killIfAlive(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

describe('npm start', () => {
  it('runs the compiled server as npm child, and SIGTERM to npm stops it gracefully and frees the port', async () => {
    const server = await startServer(tempDbFile(), { WORKERS: '1' }, 'npm start');
    const port = Number(new URL(server.baseUrl).port);
    // Engine workers run the compiled engine too: a pre-fault goes through one.
    const [vmId] = await createLoadVms(server.baseUrl, 1);
    const res = await fetch(`${server.baseUrl}/v1/vms/${vmId}/vcpus/0/pre-fault`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ gpa: '0x0', size: '0x2000' }),
    });
    expect(res.status, server.output()).toBe(200);
    const serverPids = childPids(server.child.pid!);
    try {
      if (existsSync('/proc')) expect(serverPids.map(commandLine)).toEqual([expect.stringMatching(/^\S*node scripts\/start\.mjs$/)]);
      server.child.kill('SIGTERM');
      expect(await server.exited, server.output()).toEqual({ code: 0, signal: null });
      expect(server.output()).toMatch(/"msg":"closed"/);
      expect(await listening(port)).toBe(false);
    } finally {
      // A failed run must not leave a server behind (an orphan is what this test catches).
      serverPids.forEach(killIfAlive);
    }
  }, 180_000);
});

// The real server's start-up noise: one log line per request at the default
// level, and a port already in use answered with a hint about PORT instead of a stack.
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDbFile } from '../helpers/build.js';
import { startServer } from './server-process.js';

afterAll(() => removeTempDirs());

describe('server start-up', () => {
  it('logs one line per request at info level, not two', async () => {
    const server = await startServer(tempDbFile());
    try {
      expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.includes('/healthz'));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'request', method: 'GET', url: '/healthz', statusCode: 200 });
      expect(server.output()).not.toContain('incoming request');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('exits 1 with a hint about PORT when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startServer(tempDbFile(), { PORT: String(port) })).rejects.toThrow(
        new RegExp(`port ${port} on 127.0.0.1 is in use.*PORT=${port + 1} npm start`),
      );
    } finally {
      blocker.close();
    }
  });
});

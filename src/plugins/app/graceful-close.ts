// Closing drains instead of dropping. Once app.close() starts, every call still arriving
// (on a connection a client keeps alive, or a new one) answers 503 `not-ready` with
// Retry-After, and every answer carries `Connection: close`, so each connection ends after
// its in-flight call. Node's server.close() destroys the connections idle at that moment: a
// client sending on one just then gets a reset, not an answer. So a listening server first
// waits up to `drainMs` (SHUTDOWN_DRAIN_MS) for its connections to go, answering those 503s,
// and only then closes what is left. (Fastify's keep-alive timeout is 72 s: without the
// `Connection: close`, close would wait for clients to leave.)
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { notReadyYet } from '../../service/errors.js';

interface GracefulCloseOptions {
  /** How long a closing server keeps answering 503 on open connections before it closes them. */
  drainMs: number;
}

export default fp(
  async function gracefulClose(app: FastifyInstance, { drainMs }: GracefulCloseOptions) {
    let closing = false;
    const open = new Set<Socket>();
    let allGone: (() => void) | undefined;
    app.server.on('connection', (socket: Socket) => {
      open.add(socket);
      socket.once('close', () => {
        open.delete(socket);
        if (open.size === 0) allGone?.();
      });
    });

    app.addHook('onRequest', async () => {
      if (closing) throw notReadyYet('the server is shutting down: retry (another instance, or this one once it is back)');
    });
    app.addHook('preClose', async () => {
      closing = true;
      if (!app.server.listening || drainMs === 0 || open.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        allGone = resolve;
        timer = setTimeout(resolve, drainMs);
      });
      clearTimeout(timer);
    });
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (closing) reply.header('connection', 'close');
      done(null, payload);
    });
  },
  { name: 'graceful-close' },
);

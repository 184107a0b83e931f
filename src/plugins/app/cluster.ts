// Cluster mode (INSTANCE_ID set, PostgreSQL store): every call naming a VM runs on the
// instance holding the VM's lease. A call reaching another instance is forwarded to the
// owner (@fastify/reply-from) rather than redirected: the instances sit behind HAProxy and
// need not be reachable by clients, and a forward keeps the client's one connection and
// one URL (a 307 would expose instance addresses and make every client follow redirects).
// HAProxy routes by VM id (to the creator, else by a consistent hash), so most calls reach
// the owner directly; forwards happen after a failover or a restart.
import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { LeaseStore, type LeaseIdentity } from '../../db/lease-store.js';
import { notReadyYet } from '../../service/errors.js';
import { LeaseKeeper } from '../../service/lease-keeper.js';
import { forwardFailed } from './forward-errors.js';

interface ClusterOptions extends LeaseIdentity {
  renewMs: number;
  /** Forwarded calls that take longer than this answer 504 (an owner paused or gone). */
  forwardTimeoutMs: number;
}

/**
 * On a request between instances: marks a forwarded call, so an instance never forwards it
 * again (no loops while leases move). On a response: the instance that forwarded it, set by
 * that instance only (never an echo of what a client sent; HAProxy also strips it from clients).
 */
const FORWARDED = 'x-prefault-forwarded-by';
const SERVED_BY = 'x-prefault-instance';
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Routes answering 201 with a new VM (its id in the body). */
const CREATES = new Set(['/v1/vms', '/v1/vms/import']);

export default fp(
  async function cluster(app: FastifyInstance, options: ClusterOptions) {
    if (!app.leasePools) throw new Error('cluster mode needs a PostgreSQL store');
    const keeper = new LeaseKeeper(app.liveVms, new LeaseStore(app.leasePools, options), { ttlMs: options.ttlMs, renewMs: options.renewMs }, app.log);
    await app.register(replyFrom, { http: { requestOptions: { timeout: options.forwardTimeoutMs } } });

    app.addHook('onReady', async () => keeper.start());
    // Registered after persistence, so this runs before its close: drain, then hand the leases back.
    app.addHook('onClose', async () => {
      await app.liveVms.quiesce();
      await keeper.stop();
    });

    // Which instance answered, and through which one when forwarded (for operators and tests);
    // HAProxy learns who owns a new VM from x-vm-id (deploy/haproxy.cfg, stick table).
    const forwardedHere = new WeakSet<FastifyRequest>();
    app.addHook('onSend', async (request, reply, payload) => {
      if (!reply.hasHeader(SERVED_BY)) reply.header(SERVED_BY, options.instanceId);
      if (forwardedHere.has(request)) reply.header(FORWARDED, options.instanceId);
      else reply.removeHeader(FORWARDED);
      if (reply.statusCode === 201 && request.method === 'POST' && CREATES.has(request.routeOptions.url ?? '') && typeof payload === 'string') {
        const id = (JSON.parse(payload) as { id?: unknown }).id;
        if (typeof id === 'string') reply.header('x-vm-id', id);
      }
      return payload;
    });

    // Before auth's visibility check (which only knows VMs loaded here).
    app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
      const vmId = (request.params as { vmId?: unknown } | undefined)?.vmId;
      if (typeof vmId !== 'string') return;
      const route = await keeper.route(vmId, WRITES.has(request.method));
      if (route.here) return;
      if (request.headers[FORWARDED] !== undefined) throw notReadyYet(`VM ${vmId} is changing instances; retry the call`);
      request.log.debug({ vmId, owner: route.owner }, 'forwarding to the owner');
      forwardedHere.add(request);
      return reply.from(`${route.address}${request.url}`, {
        rewriteRequestHeaders: (_req, headers) => ({ ...headers, [FORWARDED]: options.instanceId }),
        // Not the proxy's 500: a 502/504 saying whether the call may have been applied.
        onError: (failed, { error }) => failed.send(forwardFailed(vmId, route.owner, error)),
      });
    });
  },
  { name: 'cluster', dependencies: ['persistence', 'problem'] },
);

// GET /metrics in Prometheus text format (prom-client): request latency per route, the
// engine workers' queue depth, busy time, VMs and worker restarts, the calls refused by the
// queue bounds, and Node's own process metrics (CPU, heap, event-loop delay). One registry
// per app, so several apps in one process (tests) do not mix their figures.
// prom-client (and @opentelemetry/api, which it loads) is loaded after the first response sent
// once the service is ready (usually the first 200 from /readyz), or at the first scrape: the
// start does not wait for it. Latencies observed before are recorded once it is loaded.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Histogram } from 'prom-client';
import type { QueueDepths } from '../../service/call-bounds.js';
import type { EngineWorkerStats } from '../../service/engine/engine-worker-stats.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { scrape: () => Promise<{ contentType: string; text: string }> };
  }
}

interface MetricsOptions {
  engineWorkers: () => EngineWorkerStats[];
  queues: (workers: number) => QueueDepths;
  /** Whether the service is ready (its VMs rebuilt): prom-client is loaded after the first response from then on. */
  ready: () => boolean;
}

/** Latencies kept until prom-client is loaded (a service that never gets ready keeps no more). */
const MAX_PENDING = 10_000;

/** How often the event-loop delay is sampled (prom-client's default). */
const EVENT_LOOP_PRECISION_MS = 10;

type LatencyLabels = 'method' | 'route' | 'status_code';
type Observation = [Record<LatencyLabels, string>, number];

export default fp(
  async function metrics(app: FastifyInstance, options: MetricsOptions) {
    let latency: Histogram<LatencyLabels> | undefined;
    const pending: Observation[] = [];
    let loading: ReturnType<typeof load> | undefined;
    const loaded = () => (loading ??= load());
    const loadSoon = () => void loaded().catch((error: Error) => app.log.error({ err: error }, 'metrics could not be set up'));
    app.addHook('onResponse', (request, reply, done) => {
      // Unmatched URLs share one label, so a scan of random paths cannot grow the series.
      const route = request.routeOptions.url ?? 'unmatched';
      const labels = { method: request.method, route, status_code: String(reply.statusCode) };
      if (latency) latency.observe(labels, reply.elapsedTime / 1000);
      else {
        if (pending.length < MAX_PENDING) pending.push([labels, reply.elapsedTime / 1000]);
        if (options.ready()) loadSoon();
      }
      done();
    });
    app.decorate('metrics', {
      scrape: async () => {
        const { registry, firstLagSample } = await loaded();
        await firstLagSample;
        return { contentType: registry.contentType, text: await registry.metrics() };
      },
    });

    async function load() {
      const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = await import('prom-client');
      const registry = new Registry();
      collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_PRECISION_MS });
      // The event-loop delay reads NaN until its monitor has a sample, which a scrape in the
      // first few ticks after this load would show: a second monitor, started just after
      // prom-client's with the same resolution, says when prom-client's has one too.
      const probe = monitorEventLoopDelay({ resolution: EVENT_LOOP_PRECISION_MS });
      probe.enable();
      const firstLagSample = (async () => {
        while (probe.count === 0) await new Promise((resolve) => setTimeout(resolve, EVENT_LOOP_PRECISION_MS));
        probe.disable();
      })();
      latency = new Histogram({
        name: 'http_request_duration_seconds',
        help: 'Time from request received to response sent, per route (the route template, not the URL)',
        labelNames: ['method', 'route', 'status_code'] as const,
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [registry],
      });
      for (const [labels, seconds] of pending.splice(0)) latency.observe(labels, seconds);

      // Read when scraped: the gauges are set and the counters advanced to the current figures.
      const engineWorkers = () => options.engineWorkers();
      const queues = () => options.queues(options.engineWorkers().length);
      const byWorker = (name: string, help: string, value: (s: EngineWorkerStats) => number) =>
        new Gauge({
          name,
          help,
          labelNames: ['worker'] as const,
          registers: [registry],
          collect() {
            for (const s of engineWorkers()) this.set({ worker: String(s.worker) }, value(s));
          },
        });
      /** A counter whose total is kept elsewhere: advanced by the difference at each scrape. */
      const total = <L extends string>(name: string, help: string, labelNames: readonly L[], values: () => [Record<L, string>, number][]) => {
        const seen = new Map<string, number>();
        return new Counter({
          name,
          help,
          labelNames,
          registers: [registry],
          collect() {
            for (const [labels, value] of values()) {
              const key = JSON.stringify(labels);
              const delta = value - (seen.get(key) ?? 0);
              seen.set(key, value);
              this.inc(labels as never, Math.max(0, delta));
            }
          },
        });
      };
      new Gauge({
        name: 'engine_queue_depth',
        help: 'Calls waiting or running for the VMs of each engine worker (0 is the main thread when WORKERS=0)',
        labelNames: ['worker'] as const,
        registers: [registry],
        collect() {
          queues().byWorker.forEach((depth, worker) => this.set({ worker: String(worker) }, depth));
        },
      });
      new Gauge({
        name: 'engine_vm_queue_depth_max',
        help: 'The deepest single-VM queue',
        registers: [registry],
        collect() {
          this.set(queues().deepestVm);
        },
      });
      byWorker('engine_in_flight', 'Requests sent to the engine worker and not yet answered', (s) => s.inFlight);
      byWorker('engine_vms', 'VMs living on the engine worker', (s) => s.vms);
      total('engine_busy_seconds_total', 'Time the engine worker spent running engine calls', ['worker'], () =>
        engineWorkers().map((s) => [{ worker: String(s.worker) }, s.busySeconds]),
      );
      total('engine_worker_restarts_total', 'Engine workers that died and were replaced (their VMs rebuilt from their logs)', ['worker'], () =>
        engineWorkers().map((s) => [{ worker: String(s.worker) }, s.restarts]),
      );
      total('engine_calls_refused_total', 'Calls refused with 503 because a queue bound was reached', ['bound'], () => {
        const { refused } = queues();
        return [
          [{ bound: 'vm' }, refused.vm],
          [{ bound: 'worker' }, refused.worker],
        ];
      });

      return { registry, firstLagSample };
    }
  },
  { name: 'metrics' },
);

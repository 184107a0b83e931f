// Fuzzing every operation of openapi.yaml with valid, edge-valued, adversarial and random
// path parameters, query strings and bodies, as Schemathesis checks an API: the answer is
// never a 5xx, and it comes within a deadline; its status is one the document lists for
// the operation, with a body that validates against the schema documented for it (so every
// 4xx is a problem+json with type, title, status and detail); a rejected call leaves the
// VM's log and roots (and the number of VMs) as they were; nothing pollutes
// Object.prototype. FUZZ_RUNS sets the runs per operation, FUZZ_SEED the seed (fixed by
// default, so a run is repeatable; fast-check prints the seed and path of a failure).
// TEST_DATABASE=postgres runs it on PostgreSQL.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { routeSpecs } from '../../src/contract/openapi-document.js';
import { ANY_OWNER } from '../../src/service/owner.js';
import { useTestApp } from '../helpers/build.js';
import { createSelftestVm } from '../helpers/fixtures.js';
import { requestArbitrary, SEED_VM, type FuzzRequest } from '../helpers/fuzz-requests.js';
import { expectDocumented, fromInject, openapi } from '../helpers/openapi.js';

// Fewer runs on PostgreSQL by default: each run also reads the VM's log and roots, slower there.
const RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.TEST_DATABASE === 'postgres' ? 30 : 60));
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const DEADLINE_MS = 5000;

// A small page-table budget keeps any fuzzed pre-fault short; no rate limit for the volume.
const t = useTestApp({ rateLimit: { max: 0, windowMs: 1000 }, limits: { maxTableBytes: 256 * 4096 } });

let seedVm = '';
async function liveSeedVm(): Promise<string> {
  if (seedVm && t.app.liveVms.visible(seedVm, ANY_OWNER)) return seedVm;
  seedVm = await createSelftestVm(t); // a fuzzed DELETE may have removed the last one
  await t.api.post(`/v1/vms/${seedVm}/vcpus/0/pre-fault`).send({ gpa: '0x3fffffc00000', size: '0x10000' });
  return seedVm;
}

async function state(vmId: string): Promise<unknown> {
  const [log, roots] = await Promise.all([
    t.app.inject({ method: 'GET', url: `/v1/vms/${vmId}/operations?limit=1000` }),
    t.app.inject({ method: 'GET', url: `/v1/vms/${vmId}/roots` }),
  ]);
  return { vms: t.app.liveVms.count, log: log.body, roots: roots.body };
}

async function send(request: FuzzRequest, vmId: string) {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${DEADLINE_MS} ms`)), DEADLINE_MS)));
  try {
    return await Promise.race([
      t.app.inject({
        method: request.method,
        url: request.url.replace(SEED_VM, vmId),
        ...(request.contentType !== undefined && { headers: { 'content-type': request.contentType } }),
        ...(request.payload !== undefined && { payload: request.payload }),
      }),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** fast-check's report with long runs of one character (the huge-body cases) shortened. */
async function assertShortReport(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const shorten = (text: string) => text.replace(/(.)\1{99,}/gs, (run, ch: string) => `${ch}…(${run.length} times)`);
    for (let e: unknown = error; e instanceof Error; e = e.cause) e.message = shorten(e.message);
    throw error;
  }
}

describe('fuzzing every operation of openapi.yaml', () => {
  for (const spec of routeSpecs(openapi.document)) {
    it(`${spec.method} ${spec.path}`, async () => {
      await assertShortReport(() =>
        fc.assert(
          fc.asyncProperty(requestArbitrary(openapi.document, spec), async (request) => {
            const vmId = await liveSeedVm();
            const before = await state(vmId);
            const res = await send(request, vmId);
            const context = `${request.method} ${request.url} ${request.contentType ?? ''} ${request.payload?.slice(0, 200) ?? ''} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
            expect(res.statusCode, context).toBeGreaterThanOrEqual(200);
            expect(res.statusCode, context).toBeLessThan(500);
            expectDocumented(fromInject(res), spec.operationId);
            if (res.statusCode >= 400) {
              expect(res.headers['content-type'], context).toMatch(/^application\/problem\+json/);
              const problem = res.json() as Record<string, unknown>;
              for (const key of ['type', 'title', 'detail']) expect(typeof problem[key], `${key}: ${context}`).toBe('string');
              expect(problem.status, context).toBe(res.statusCode);
              expect(await state(vmId), `state changed by a rejected call: ${context}`).toEqual(before);
            }
            expect((Object.prototype as Record<string, unknown>).polluted, context).toBeUndefined();
          }),
          { numRuns: RUNS, seed: SEED },
        ),
      );
    });
  }
});

// With tokens configured, no spelling of a request target reaches a handler without a token.
// Every documented operation that needs a token is sent, with its path filled in with a
// student's real ids, through every spelling below: the ones the router decodes to the same
// route must answer 401, absolute-form targets 400, the ones that route nowhere 404; never
// a 2xx, and afterwards nothing the student owns has changed. Targets go out byte for byte
// on a raw socket (test/helpers/raw-request.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeSpecs } from '../../src/contract/openapi-document.js';
import { METRICS_OPERATION, OPEN_OPERATIONS } from '../../src/contract/route-access.js';
import { requireTeacher } from '../../src/plugins/app/auth.js';
import { ANY_OWNER } from '../../src/service/owner.js';
import { hashToken } from '../../src/service/token-hash.js';
import { buildAuthWorld, protectedOperations, STUDENT, type AuthWorld } from '../helpers/auth-world.js';
import { build, removeTempDirs, tempDbFile, type TestApp } from '../helpers/build.js';
import { freshDatabaseUrl, queryRows } from '../helpers/store.js';
import { openapi } from '../helpers/openapi.js';
import { rawRequest } from '../helpers/raw-request.js';

/** Every character but "/" as %XX (upper or lower case hex). */
const encodeAll = (path: string, lower = false) =>
  path.replace(/[^/]/g, (c) => {
    const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
    return `%${lower ? hex : hex.toUpperCase()}`;
  });

type Spelling = [name: string, spell: (path: string) => string];

/** The router decodes these to the operation's own route: the token check must see them. */
const SAME_ROUTE: Spelling[] = [
  ['as documented', (p) => p],
  ['/%761', (p) => p.replace('/v1', '/%761')],
  ['/v%31', (p) => p.replace('/v1', '/v%31')],
  ['/%76%31', (p) => p.replace('/v1', '/%76%31')],
  ['every character %XX', (p) => encodeAll(p)],
  ['every character %xx', (p) => encodeAll(p, true)],
  ['last segment %XX', (p) => p.replace(/[^/]+$/, (s) => encodeAll(s))],
  ['empty query', (p) => `${p}?`],
  ['query naming another path', (p) => `${p}?next=/healthz&x=%2Fv1`],
];

const ABSOLUTE_FORM: Spelling[] = [
  ['http://host', (p) => `http://x${p}`],
  ['HTTP://HOST:port', (p) => `HTTP://X:3000${p}`],
  ['https://host', (p) => `https://x${p}`],
  ['http://user@host', (p) => `http://u@x${p}`],
  ['http://host encoded', (p) => `http://x${p.replace('/v1', '/%761')}`],
  ['ftp://host', (p) => `ftp://x${p}`],
  ['no leading slash', (p) => p.slice(1)],
  ['backslash first', (p) => `\\${p.slice(1)}`],
  ['*', () => '*'],
];

/** Not the operation's route: they must route nowhere (404) or still need the token. */
const OTHER: Spelling[] = [
  ['//v1', (p) => `/${p}`],
  ['/v1//', (p) => p.replace('/v1/', '/v1//')],
  ['/./v1', (p) => `/.${p}`],
  ['/v1/./', (p) => p.replace('/v1/', '/v1/./')],
  ['/v1/../v1/', (p) => p.replace('/v1/', '/v1/../v1/')],
  ['/x/../v1', (p) => `/x/..${p}`],
  ['/%2e/v1', (p) => `/%2e${p}`],
  ['/%2e%2e/v1', (p) => `/%2e%2e${p}`],
  ['trailing /', (p) => `${p}/`],
  ['/V1', (p) => p.replace('/v1', '/V1')],
  ['/%56%31 (V1)', (p) => p.replace('/v1', '/%56%31')],
  ['/v1;x', (p) => p.replace('/v1', '/v1;x')],
  ['trailing ;x', (p) => `${p};x`],
  ['%2F for /', (p) => p.replace('/v1/', '/v1%2F')],
  ['%2f for every /', (p) => `/${p.slice(1).replace(/\//g, '%2f')}`],
  ['backslashes', (p) => `/${p.slice(1).replace(/\//g, '\\')}`],
  ['double-encoded %2576', (p) => p.replace('/v1', '/%2576%31')],
  ['double-encoded %252F', (p) => p.replace('/v1/', '/v1%252F')],
  ['trailing %00', (p) => `${p}%00`],
  ['trailing %20', (p) => `${p}%20`],
  ['fragment', (p) => `${p}#x`],
  ['overlong UTF-8 /', (p) => p.replace('/v1/', '/v1%C0%AF')],
  ['full-width v', (p) => p.replace('/v1', '/\uff561')],
];

/** Targets Node's HTTP parser itself refuses (400 before Fastify sees them). */
const PARSER_REFUSED = new Set(['no leading slash', 'backslash first', 'full-width v']);

let w: AuthWorld;
beforeAll(async () => {
  w = await buildAuthWorld({ rateLimit: { max: 0, windowMs: 1000 } });
});
afterAll(async () => {
  await w.close();
  removeTempDirs();
});

async function sendAll(
  expected: (spelling: string) => readonly number[],
  spellings: Spelling[],
  extra: (op: { method: string }) => string[] = () => [],
) {
  const before = await w.snapshot();
  const wrong: string[] = [];
  for (const op of protectedOperations(w.params)) {
    for (const method of [op.method, ...extra(op)]) {
      await Promise.all(
        spellings.map(async ([name, spell]) => {
          const target = spell(op.path);
          const res = await rawRequest(w.port, method, target, { body: method === 'HEAD' ? '' : op.body });
          if (!expected(name).includes(res.status))
            wrong.push(`${op.operationId} (${name}) ${method} ${target}: ${res.status} ${res.body.slice(0, 120)}`);
          if (res.status === 401) expect(res.headers['www-authenticate'], target).toMatch(/^Bearer/);
          // (A target Node's HTTP parser refuses gets Fastify's plain 400 before any route or hook.)
          if (res.status !== 400 || PARSER_REFUSED.has(name)) return;
          expect(res.headers['content-type'], `${method} ${target}`).toMatch(/^application\/problem\+json/);
        }),
      );
    }
  }
  expect(wrong).toEqual([]);
  expect(await w.snapshot()).toEqual(before);
}

describe('with tokens configured and no token', () => {
  it('answers 401 to every documented operation spelled any way that reaches its route (GET ones by HEAD too)', async () => {
    await sendAll(
      () => [401],
      SAME_ROUTE,
      (op) => (op.method === 'GET' ? ['HEAD'] : []),
    );
  });

  it('refuses absolute-form and other non-path request targets with 400, whatever the path', async () => {
    await sendAll(() => [400], ABSOLUTE_FORM);
    // With a valid token too: the refusal comes before routing and auth.
    const res = await rawRequest(w.port, 'GET', `http://x/v1/vms`, { headers: { authorization: `Bearer ${STUDENT}` } });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ type: 'urn:prefault-lab:problem:invalid-input', field: 'path' });
  });

  it('answers 401 or 404 to every other spelling: a path that routes nowhere, or still to a route that needs the token', async () => {
    // 400: a target Node's parser or the router refuses as malformed; 405 if a wrong method on a known path is answered so.
    await sendAll(() => [400, 401, 404, 405], OTHER);
  });

  it('needs a token on every registered route but the open list (routes not in the document too: HEAD, anything added later)', async () => {
    const openUrls = new Set(
      routeSpecs(openapi.document)
        .filter((s) => OPEN_OPERATIONS.has(s.operationId) || s.operationId === METRICS_OPERATION)
        .map((s) => s.url),
    );
    const guarded = w.t.app.registeredRoutes.filter((r) => !openUrls.has(r.url) && !/^\/docs(\/|$)/.test(r.url));
    expect(guarded.length).toBeGreaterThanOrEqual(protectedOperations(w.params).length);
    const withHead = guarded.flatMap((r) => (r.method === 'GET' ? [r, { ...r, method: 'HEAD' }] : [r]));
    for (const route of withHead) {
      const path = route.url.replace(/:(\w+)/g, (_, name: string) => w.params[name] ?? 'x').replace('*', 'x');
      const res = await rawRequest(w.port, route.method, path, { body: route.method === 'GET' || route.method === 'HEAD' ? '' : '{}' });
      expect(res.status, `${route.method} ${path}`).toBe(401);
    }
  });

  it('leaves the open list open, however spelled: probes, the document, Swagger UI and the viewer', async () => {
    for (const target of ['/healthz', '/%68ealthz', '/readyz', '/openapi.json', '/openapi.yaml', '/metrics', '/docs/', '/', '/ui/app.js']) {
      const res = await rawRequest(w.port, 'GET', target);
      expect(res.status, target).toBe(200);
    }
  });
});

describe('an undefined owner', () => {
  it('sees nothing and creates nothing: ANY_OWNER (an open server) is the only owner that sees everything', async () => {
    const { vmId, labId, sessionId, quizId } = w.params as Record<string, string>;
    const { liveVms, labService } = w.t.app;
    expect(liveVms.visible(vmId!, hashToken(STUDENT))).toBe(true);
    expect(liveVms.visible(vmId!, ANY_OWNER)).toBe(true);
    expect(liveVms.visible(vmId!, undefined)).toBe(false);
    expect((await liveVms.list({}, undefined)).items).toEqual([]);
    expect((await liveVms.list({}, ANY_OWNER)).items.map((v) => v.id)).toContain(vmId);
    await expect(labService.quiz(quizId!, undefined)).rejects.toMatchObject({ status: 404 });
    await expect(labService.quizAnswers(quizId!, undefined)).rejects.toMatchObject({ status: 404 });
    await expect(labService.session(labId!, sessionId!, { owner: undefined })).rejects.toMatchObject({ status: 404 });
    const count = liveVms.count;
    await expect(liveVms.create({ name: 'nobody' }, undefined)).rejects.toMatchObject({ status: 401 });
    await expect(labService.createQuiz('errno', 1, undefined)).rejects.toMatchObject({ status: 401 });
    // Not even an open server's session of the same student name is handed out.
    await expect(w.t.app.labSessions.start(labId!, {}, { owner: undefined })).rejects.toMatchObject({ status: 401 });
    await expect(w.t.app.labSessions.get(labId!, sessionId!, { owner: undefined })).rejects.toMatchObject({ status: 404 });
    expect(liveVms.count).toBe(count);
  });

  it('is no teacher: the teacher-only routes refuse a request without an owner or role', () => {
    const request = (fields: object) => fields as Parameters<typeof requireTeacher>[0];
    expect(() => requireTeacher(request({}), 'this')).toThrow(/teacher/);
    expect(() => requireTeacher(request({ role: 'teacher' }), 'this')).toThrow(/teacher/);
    expect(() => requireTeacher(request({ owner: hashToken(STUDENT), role: 'student' }), 'this')).toThrow(/teacher/);
    expect(() => requireTeacher(request({ owner: hashToken('t'), role: 'teacher' }), 'this')).not.toThrow();
    expect(() => requireTeacher(request({ owner: ANY_OWNER }), 'this')).not.toThrow();
  });
});

describe('rate limiting of calls without a valid token, and of /metrics', () => {
  const limited = async (options: Parameters<typeof build>[0], run: (t: TestApp) => Promise<void>) => {
    const t = await build({ rateLimit: { max: 3, windowMs: 60_000 }, ...options });
    try {
      await run(t);
    } finally {
      await t.close();
    }
  };

  it('counts failed-token calls by IP, whatever token each one sends; a valid token keeps its own count', () =>
    limited({ apiTokenHashes: [hashToken(STUDENT)] }, async (t) => {
      const call = (authorization?: string) => {
        const req = t.api.get('/v1/vms');
        return authorization === undefined ? req : req.set('authorization', authorization);
      };
      expect((await call()).status).toBe(401);
      expect((await call('Bearer guess-1')).status).toBe(401);
      expect((await t.api.get('/%761/vms').set('authorization', 'Bearer guess-2')).status).toBe(401);
      const refused = await call('Bearer guess-3');
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ type: 'urn:prefault-lab:problem:rate-limited' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((await call(`Bearer ${STUDENT}`)).status).toBe(200);
    }));

  it('rate-limits /metrics (open without METRICS_TOKEN) by IP', () =>
    limited({}, async (t) => {
      for (let i = 0; i < 3; i++) expect((await t.api.get('/metrics')).status).toBe(200);
      expect((await t.api.get('/metrics')).status).toBe(429);
      expect((await t.api.get('/no-such-route')).status).toBe(429); // unmatched paths count too
      expect((await t.api.get('/healthz')).status).toBe(200);
    }));

  it('with METRICS_TOKEN, /metrics needs that token (not an API token), spelled any way', () =>
    limited(
      { rateLimit: { max: 0, windowMs: 1000 }, apiTokenHashes: [hashToken(STUDENT)], metricsTokenHash: hashToken('scrape-9d1f') },
      async (t) => {
        for (const [url, token] of [
          ['/metrics', undefined],
          ['/metrics', STUDENT],
          ['/%6detrics', undefined],
          ['/metrics', 'scrape-9d1'],
        ] as const) {
          const req = t.api.get(url);
          const res = token === undefined ? await req : await req.set('authorization', `Bearer ${token}`);
          expect(res.status, `${url} ${token}`).toBe(401);
        }
        const scraped = await t.api.get('/metrics').set('authorization', 'Bearer scrape-9d1f');
        expect(scraped.status).toBe(200);
        expect(scraped.text).toContain('http_request_duration_seconds');
        // The metrics token is no API token.
        expect((await t.api.get('/v1/vms').set('authorization', 'Bearer scrape-9d1f')).status).toBe(401);
      },
    ));
});

describe('the start-up gate', () => {
  it('holds every spelling of an API route while the VMs cannot be rebuilt (same route-based decision as the token check)', async () => {
    const databaseUrl = await freshDatabaseUrl(tempDbFile);
    const config = JSON.stringify({ name: 'bad', type: 'tdx', host: { vendor: 'amd' } });
    await queryRows(
      databaseUrl,
      'INSERT INTO "Vm" ("id", "name", "config", "createdAt") VALUES (?, ?, ?, ?)',
      'vm-bad',
      'bad',
      config,
      new Date().toISOString(),
    );
    const t = await build({ databaseUrl, waitForReplay: false });
    try {
      await expect(t.app.liveVms.whenLoaded()).rejects.toThrow(/vm-bad/);
      for (const url of ['/v1/vms', '/%761/vms', '/v%31/vms', '/%76%31/vms', '/v1/labs', '/v1/v%6ds/import'])
        expect((await t.api.get(url)).status, url).toBe(503);
      expect((await t.api.get('/healthz')).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

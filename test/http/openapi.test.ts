// openapi.yaml is the single source of truth: it is valid OpenAPI 3.1, it lists exactly the
// routes the app serves, its examples are valid requests, and it is served as written.
import { createHash } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkHandlersMatch } from '../../src/routes/register.js';
import { dereference, routeSpecs, type JsonSchema } from '../../src/contract/openapi-document.js';
import { build, useTestApp } from '../helpers/build.js';
import { openapi } from '../helpers/openapi.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
type Operation = {
  operationId: string;
  summary?: string;
  description?: string;
  requestBody?: { content: Record<string, { schema: JsonSchema; examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
};

const operations: { method: string; path: string; op: Operation }[] = Object.entries(openapi.document.paths).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: dereference(openapi.document, item[method]) as Operation })),
);

const t = useTestApp();

describe('openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(openapi.document as never);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists exactly the routes the app registered (besides Swagger UI under /docs)', () => {
    const served = t.app.registeredRoutes
      .filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/docs'))
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    const documented = routeSpecs(openapi.document)
      .map((s) => `${s.method} ${s.url}`)
      .sort();
    expect(served).toEqual(documented);
    expect(documented).toContain('POST /v1/vms/:vmId/vcpus/:vcpuId/pre-fault');
  });

  it('gives every operation a unique operationId, a summary and a description', () => {
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { method, path, op } of operations) {
      expect(op.summary, `${method} ${path}`).toBeTruthy();
      expect(op.description, `${method} ${path}`).toBeTruthy();
    }
  });

  it('documents problem+json responses for every operation that takes input', () => {
    for (const { method, path, op } of operations) {
      const takesInput = path.includes('{') || op.requestBody;
      if (!takesInput) continue;
      const bad = op.responses['400']?.content?.['application/problem+json'];
      expect(bad, `${method} ${path} documents no problem+json 400`).toBeDefined();
      if (path.includes('{vmId}')) expect(op.responses['404'], `${method} ${path} documents no 404`).toBeDefined();
    }
  });

  it('gives every request body at least one example, and every example is a valid request', () => {
    const ajv = new Ajv2020({ strict: true });
    for (const { method, path, op } of operations) {
      const media = op.requestBody?.content['application/json'];
      if (!media) continue;
      const examples = Object.entries(media.examples ?? {});
      expect(examples.length, `${method} ${path} has no request example`).toBeGreaterThan(0);
      const validate = ajv.compile(media.schema);
      for (const [name, example] of examples)
        expect(validate(example.value), `${method} ${path} example ${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it("gives response examples that are valid answers, and createVm's matches what the server fills in", async () => {
    const ajv = new Ajv2020({ strict: false });
    for (const { method, path, op } of operations)
      for (const [status, response] of Object.entries(op.responses))
        for (const [type, media] of Object.entries(response.content ?? {}) as [
          string,
          { schema: JsonSchema; examples?: Record<string, { value: unknown }> },
        ][])
          for (const [name, example] of Object.entries(media.examples ?? {}))
            expect(ajv.validate(media.schema, example.value), `${method} ${path} ${status} ${type} example ${name}`).toBe(true);
    const create = operations.find((o) => o.op.operationId === 'createVm')!.op;
    const request = create.requestBody!.content['application/json']!.examples!.minimal!.value;
    const documented = (create.responses['201']!.content!['application/json'] as { examples: Record<string, { value: Record<string, unknown> }> })
      .examples.minimal!.value;
    const res = await t.api.post('/v1/vms').send(request as object);
    expect(res.status).toBe(201);
    const { id: _id, createdAt: _at, ...answered } = res.body;
    const { id: _did, createdAt: _dat, ...example } = documented;
    expect(example).toEqual(answered);
  });

  it('makes the app refuse to start when an operation has no handler or a handler no operation', () => {
    expect(() => checkHandlersMatch(['a', 'b'], ['a', 'b'])).not.toThrow();
    expect(() => checkHandlersMatch(['a', 'b'], ['a'])).toThrow(/operation b in openapi.yaml has no handler/);
    expect(() => checkHandlersMatch(['a'], ['a', 'c'])).toThrow(/handler c has no operation/);
  });
});

describe('serving the document', () => {
  it('serves /openapi.yaml exactly as written', async () => {
    const res = await t.api.get('/openapi.yaml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    expect(res.text).toBe(openapi.text);
  });

  it('serves /openapi.json as the same document', async () => {
    const res = await t.api.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(parse(openapi.text));
  });

  it('serves Swagger UI at /docs over the same document', async () => {
    const ui = await t.api.get('/docs/').redirects(1);
    expect(ui.status).toBe(200);
    expect(ui.text).toMatch(/swagger/i);
    const json = await t.api.get('/docs/json');
    expect(json.status).toBe(200);
    expect(json.body.paths['/v1/vms'].post.operationId).toBe('createVm');
  });

  it('answers under /docs as Swagger UI does: HEAD with the GET headers, a bare redirect, the 404 problem', async () => {
    const [get, head] = [await t.api.get('/docs/json'), await t.api.head('/docs/json')];
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
    const redirect = await t.api.get('/docs/static/index.html');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('/docs/');
    expect(redirect.headers['content-type']).toBeUndefined();
    const missing = await t.api.get('/docs/static/missing.js');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('shows no padlocks in Swagger UI when the server runs open, and the bearer scheme when it has tokens', async () => {
    const open = (await t.api.get('/docs/json')).body;
    expect(open.security).toBeUndefined();
    expect(open.components.securitySchemes).toBeUndefined();
    expect(openapi.document).toHaveProperty('security'); // the file itself is unchanged
    const withTokens = await build({ apiTokenHashes: [createHash('sha256').update('teacher-token').digest('hex')] });
    try {
      const doc = (await withTokens.api.get('/docs/json')).body;
      expect(doc.security).toEqual([{ bearerAuth: [] }, {}]);
      expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    } finally {
      await withTokens.close();
    }
  });
});

// A documented path called with a method the document does not give it: 405 problem+json
// with `Allow` listing the document's methods (and HEAD with GET); an undocumented path
// stays a 404.
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/build.js';
import { openapi } from '../helpers/openapi.js';

const t = useTestApp();

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'] as const;

describe('405 Method Not Allowed', () => {
  // Every documented path, with its parameters filled in, and every method no documented
  // path that matches it takes (/v1/vms/import is also /v1/vms/{vmId}: GET and DELETE route).
  const paths = Object.entries(openapi.document.paths).map(([path, item]) => ({
    path,
    pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`),
    methods: METHODS.filter((m) => item[m.toLowerCase()] !== undefined),
  }));
  const cases = paths.flatMap(({ path }) => {
    const url = path.replace(/\{\w+\}/g, '1');
    const documented = [...new Set(paths.filter((p) => p.pattern.test(url)).flatMap((p) => p.methods))];
    return METHODS.filter((m) => !documented.includes(m)).map((method) => ({ method, url, path, documented }));
  });

  it.each(cases.map((c) => [`${c.method} ${c.url}`, c] as const))(
    "%s is a 405 naming the path's methods",
    async (_, { method, url, path, documented }) => {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode, res.body).toBe(405);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const allowed = String(res.headers.allow).split(', ');
      expect(allowed.filter((m) => m !== 'HEAD').sort(), path).toEqual([...documented].sort());
      if (documented.includes('GET')) expect(allowed).toContain('HEAD');
      expect(res.json()).toMatchObject({ type: 'urn:prefault-lab:problem:method-not-allowed', status: 405 });
    },
  );

  it('compares static segments as the router does (percent-decoded), and leaves other paths a 404', async () => {
    const encoded = await t.app.inject({ method: 'PUT', url: '/v1/%76ms' });
    expect(encoded.statusCode).toBe(405);
    expect(encoded.headers.allow).toBe('GET, POST, HEAD');
    for (const url of ['/v1/nothing', '/v1/vms/', '/v1/vms/1/unknown', '/v1//vcpus']) {
      const res = await t.app.inject({ method: 'PUT', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers.allow, url).toBeUndefined();
    }
  });
});

// Property: with tokens configured, no request target built from a documented operation's
// path (characters randomly %-encoded in either case, "/" included; scheme-and-host, dot and
// slash prefixes; suffixes such as "/", "?", ";x", "%00") reaches a handler without a valid
// token. A target the router sends to the operation's own route answers 401, a non-path
// target 400; never a 2xx nor a 5xx, and the student's VM, session and quiz are unchanged.
// AUTH_FUZZ_RUNS sets the number of requests.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildAuthWorld, protectedOperations, type AuthWorld, type ProtectedOperation } from '../helpers/auth-world.js';
import { removeTempDirs } from '../helpers/build.js';
import { rawRequest } from '../helpers/raw-request.js';

const RUNS = Number(process.env.AUTH_FUZZ_RUNS ?? 400);

let w: AuthWorld;
let operations: ProtectedOperation[];
beforeAll(async () => {
  w = await buildAuthWorld({ rateLimit: { max: 0, windowMs: 1000 } });
  operations = protectedOperations(w.params);
});
afterAll(async () => {
  await w.close();
  removeTempDirs();
});

const PREFIXES = ['', '', '', 'http://x', 'HTTP://X:3000', 'https://[::1]', 'http://u:p@x', '//', '/.', '/..', '/%2e', '/x/..'];
const SUFFIXES = ['', '', '', '/', '?', '?a=/v1/vms', '#f', ';x', '%00', '/.', '%2F', '/..'];
const AUTHORIZATION = [undefined, 'Bearer wrong-token', 'Bearer', 'Basic c3R1ZGVudDp4', 'bearer  ', 'Bearer student-5b8e1f0c3a7d924'];

/** A character as %XX in upper or lower case hex. */
const percent = (c: string, lower: boolean) => {
  const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${lower ? hex : hex.toUpperCase()}`;
};

const targetArbitrary = fc
  .record({
    op: fc.nat(),
    encode: fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 200, maxLength: 200 }),
    encodeRate: fc.constantFrom(0, 0.1, 0.5, 1),
    prefix: fc.constantFrom(...PREFIXES),
    suffix: fc.constantFrom(...SUFFIXES),
    head: fc.boolean(),
    authorization: fc.constantFrom(...AUTHORIZATION),
    seed: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ op: index, encode, encodeRate, prefix, suffix, head, authorization, seed }) => {
    const op = operations[index % operations.length]!;
    let encodedSlash = false;
    const path = [...op.path]
      .map((c, i) => {
        const [pick, lower] = encode[i % encode.length]!;
        if (!pick || (i / op.path.length + seed) % 1 >= encodeRate) return c;
        if (c === '/') {
          if (i === 0) return c;
          encodedSlash = true;
        }
        return percent(c, lower);
      })
      .join('');
    const method = head && op.method === 'GET' ? 'HEAD' : op.method;
    return {
      op,
      method,
      target: `${prefix}${path}${suffix}`,
      sameRoute: prefix === '' && !encodedSlash && ['', '?', '?a=/v1/vms'].includes(suffix),
      authorization,
    };
  });

it('never lets a request without a valid token reach a handler, however its target is spelled', async () => {
  const before = await w.snapshot();
  await fc.assert(
    fc.asyncProperty(targetArbitrary, async ({ op, method, target, sameRoute, authorization }) => {
      const res = await rawRequest(w.port, method, target, {
        body: method === 'HEAD' ? '' : op.body,
        ...(authorization !== undefined && { headers: { authorization } }),
      });
      const what = `${method} ${target}: ${res.status} ${res.body.slice(0, 120)}`;
      expect(res.status >= 200 && res.status < 300, what).toBe(false);
      expect(res.status, what).toBeLessThan(500);
      if (!target.startsWith('/')) expect(res.status, what).toBe(400);
      else if (sameRoute) expect(res.status, what).toBe(401);
    }),
    { numRuns: RUNS },
  );
  expect(await w.snapshot()).toEqual(before);
});

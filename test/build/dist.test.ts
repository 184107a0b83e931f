// The compiled server (dist/, what npm start runs) reads the same contract and labs as the
// sources: the build's parsed-YAML snapshot must give exactly what parsing gives.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadOpenApiDocument, routeSpecs, type RouteSpec } from '../../src/contract/openapi-document.js';
import type { precompiledValidators } from '../../src/contract/precompiled-validators.js';
import { requestValidatorCompiler } from '../../src/contract/request-validation.js';
import { labCheckKey, loadCatalogue, parseLab } from '../../src/labs/catalogue.js';
import { requestArbitrary } from '../helpers/fuzz-requests.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT });

const decoded = (part: string): string => {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
};

/** How deeply a JSON text nests (brackets and braces, strings ignored roughly). */
function nesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (const ch of text) {
    if (ch === '[' || ch === '{') deepest = Math.max(deepest, ++depth);
    else if (ch === ']' || ch === '}') depth--;
  }
  return deepest;
}

/** A fuzzed request split into the parts Fastify validates: path parameters, query, JSON body. */
function partsOf(spec: RouteSpec, url: string, payload: string | undefined): Record<string, unknown> {
  const [path = '', query = ''] = url.split('?');
  const names = spec.url.split('/');
  const values = path.split('/');
  const params = Object.fromEntries(names.flatMap((name, i) => (name.startsWith(':') ? [[name.slice(1), decoded(values[i] ?? '')]] : [])));
  let body: unknown;
  try {
    body = payload === undefined ? {} : JSON.parse(payload);
  } catch {
    body = payload;
  }
  return { params, querystring: Object.fromEntries(new URLSearchParams(query)), body };
}

describe('dist', () => {
  it('has openapi.yaml parsed in its snapshot, and loads the same document and labs as src', async () => {
    const cache = JSON.parse(readFileSync(`${ROOT}dist/yaml-cache.json`, 'utf8')) as Record<string, unknown>;
    const text = readFileSync(`${ROOT}openapi.yaml`, 'utf8');
    expect(Object.keys(cache)).toContain(createHash('sha256').update(text).digest('hex'));

    const dist = {
      contract: (await import(`${ROOT}dist/contract/openapi-document.js`)) as { loadOpenApiDocument: typeof loadOpenApiDocument },
      labs: (await import(`${ROOT}dist/labs/catalogue.js`)) as { loadCatalogue: typeof loadCatalogue; parseLab: typeof parseLab },
    };
    expect(dist.contract.loadOpenApiDocument()).toEqual(loadOpenApiDocument());
    expect(dist.labs.loadCatalogue()).toEqual(loadCatalogue());
  }, 60_000);

  it("has every route's request validators prebuilt, and they answer as the ones compiled at run time", async () => {
    const dist = (await import(`${ROOT}dist/contract/precompiled-validators.js`)) as {
      precompiledValidators: typeof precompiledValidators;
    };
    const prebuilt = dist.precompiledValidators();
    const fromBuild = requestValidatorCompiler((kind, schema) => {
      const validate = prebuilt(kind, schema);
      if (!validate) throw new Error(`no prebuilt ${kind} validator for ${JSON.stringify(schema)}`);
      return validate;
    });
    const atRunTime = requestValidatorCompiler();
    const { document } = loadOpenApiDocument();
    let compared = 0;
    for (const spec of routeSpecs(document)) {
      const parts = Object.entries(spec.schema).map(([httpPart, schema]) => {
        const route = { schema, httpPart, method: spec.method, url: spec.url };
        return { httpPart, built: fromBuild(route), compiled: atRunTime(route) };
      });
      for (const request of fc.sample(requestArbitrary(document, spec), { numRuns: 40, seed: 21 })) {
        if (nesting(request.payload ?? '') > 50) continue; // too deep for expect's comparison
        // Each gets its own copy (parsed again): coercion writes into the data it validates.
        const [copyA, copyB] = [partsOf(spec, request.url, request.payload), partsOf(spec, request.url, request.payload)];
        for (const { httpPart, built, compiled } of parts) {
          const [a, b] = [copyA[httpPart], copyB[httpPart]];
          const answer = (validate: typeof built, value: unknown) => ({
            valid: validate(value),
            errors: (validate as { errors?: unknown }).errors,
            value,
          });
          expect(answer(built, a), `${spec.operationId} ${httpPart} ${request.url}`).toEqual(answer(compiled, b));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  }, 60_000);

  it('records the shipped labs the build checked, and the compiled catalogue checks any other lab text in full', async () => {
    const dist = (await import(`${ROOT}dist/labs/catalogue.js`)) as { parseLab: typeof parseLab; labCheckKey: typeof labCheckKey };
    const checked = JSON.parse(readFileSync(`${ROOT}dist/labs/checked-labs.json`, 'utf8')) as string[];
    const files = readdirSync(`${ROOT}labs`).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    expect([...checked].sort()).toEqual(files.map((f) => dist.labCheckKey(readFileSync(`${ROOT}labs/${f}`, 'utf8'))).sort());
    // A shipped lab edited so that only a cross-check fails (task numbering): refused by both.
    const edited = readFileSync(`${ROOT}labs/${files[0]}`, 'utf8').replace('  - n: 1\n', '  - n: 7\n');
    expect(() => dist.parseLab(edited, files[0]!)).toThrow(/task 1 is numbered 7/);
    expect(() => parseLab(edited, files[0]!)).toThrow(/task 1 is numbered 7/);
  });

  it('refuses a malformed lab with the same errors from the prebuilt lab validator as from the schema compiled at run time', async () => {
    const dist = (await import(`${ROOT}dist/labs/catalogue.js`)) as { parseLab: typeof parseLab };
    const malformed = 'id: Not An Id\ntitle: 7\nspec: []\nvms: [{}]\ntasks: [{ id: x }]\n';
    const message = (parse: typeof parseLab): string => {
      try {
        parse(malformed, 'bad.yaml');
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('the malformed lab was accepted');
    };
    expect(message(dist.parseLab)).toBe(message(parseLab));
    expect(message(parseLab)).toMatch(/does not match the lab schema: .+; .+/);
  });
});

// The compiled server (dist/, what npm start runs) reads the same contract and labs as the
// sources: the build's parsed-YAML snapshot must give exactly what parsing gives.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadOpenApiDocument } from '../../src/contract/openapi-document.js';
import { loadCatalogue, parseLab } from '../../src/labs/catalogue.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT });

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

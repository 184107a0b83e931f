// The handlers' types come from openapi.yaml through a generated file; it must be the file
// the current document generates (after editing openapi.yaml: npm run gen:types).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { generateTypes, TYPES_FILE } from '../../scripts/openapi-types.js';

it('src/contract/openapi-types.ts is generated from the current openapi.yaml', async () => {
  expect(readFileSync(TYPES_FILE, 'utf8') === (await generateTypes()), 'run npm run gen:types').toBe(true);
});

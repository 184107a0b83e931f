// The handlers' and the client's types come from openapi.yaml through generated files; each
// must be the file the current document generates (after editing openapi.yaml: npm run gen:types).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CLIENT_TYPES_FILE, generateTypes, TYPES_FILE } from '../../scripts/gen-openapi-types.js';

it.each([
  ['src/contract/openapi-types.ts', TYPES_FILE],
  ['client/openapi-types.ts', CLIENT_TYPES_FILE],
])('%s is generated from the current openapi.yaml', async (_name, file) => {
  expect(readFileSync(file, 'utf8') === (await generateTypes()), 'run npm run gen:types').toBe(true);
});

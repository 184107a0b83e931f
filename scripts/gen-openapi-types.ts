// Generates src/contract/openapi-types.ts from openapi.yaml (npm run gen:types): the request
// and response types the route handlers are typed with, and the same file for the typed client
// (client/openapi-types.ts), which ships without importing the server. Properties with a
// `default` stay optional (defaultNonNullable: false), as the document means them for requests; an
// object schema without properties is any object (emptyObjectsUnknown), as JSON Schema reads it.
// test/contract/openapi-types.test.ts checks that the committed files are up to date.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const DOCUMENT = new URL('../openapi.yaml', import.meta.url);
export const TYPES_FILE = fileURLToPath(new URL('../src/contract/openapi-types.ts', import.meta.url));
export const CLIENT_TYPES_FILE = fileURLToPath(new URL('../client/openapi-types.ts', import.meta.url));

const BANNER = `// Generated from openapi.yaml by scripts/gen-openapi-types.ts (npm run gen:types): do not edit.\n\n`;

export async function generateTypes(): Promise<string> {
  const types = astToString(await openapiTS(DOCUMENT, { defaultNonNullable: false, emptyObjectsUnknown: true }));
  // `object`, not `Record<string, unknown>`: the engine's and the labs' interfaces (which have
  // no index signature) must be assignable where the document leaves an object's fields open.
  return BANNER + types.replaceAll('Record<string, unknown>', 'object');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const types = await generateTypes();
  for (const file of [TYPES_FILE, CLIENT_TYPES_FILE]) writeFileSync(file, types);
}

// The typed client for a course's scripts: openapi-fetch over the types openapi.yaml generates
// (client/openapi-types.ts, npm run gen:types), so every path, parameter and body is checked
// by the compiler against the same document the server validates with.
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './openapi-types.js';

export type PrefaultClient = Client<paths>;
export type Schemas = components['schemas'];

/** A client for the server at baseUrl (e.g. "http://127.0.0.1:3000"); options go to openapi-fetch (headers, fetch). */
export function createPrefaultClient(baseUrl: string, options: Omit<ClientOptions, 'baseUrl'> = {}): PrefaultClient {
  return createClient<paths>({ ...options, baseUrl });
}

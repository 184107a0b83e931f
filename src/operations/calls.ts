// An HTTP call written as data (a lab's or quiz's `calls`) -> the engine Operation the same
// call makes on the server: matched against openapi.yaml's own paths, built by the same
// builders the route handlers use. No second route table.
import { loadOpenApiDocument, routeSpecs } from '../contract/openapi-document.js';
import type { Operation } from '../sim/index.js';
import { OPERATION_BUILDERS } from './by-operation-id.js';

interface CallRoute {
  method: string;
  pattern: RegExp;
  names: string[];
  build: (typeof OPERATION_BUILDERS)[string];
}

let routes: CallRoute[] | undefined;

/** The document's state-changing routes, read once. */
function callRoutes(): CallRoute[] {
  routes ??= routeSpecs(loadOpenApiDocument().document).flatMap((spec) => {
    const build = OPERATION_BUILDERS[spec.operationId];
    if (!build) return [];
    const names = [...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const pattern = new RegExp(`^${spec.path.replace(/\{\w+\}/g, '([^/]+)')}$`);
    return [{ method: spec.method, pattern, names, build }];
  });
  return routes;
}

/** The operation behind a state-changing call; undefined when no such route changes state. */
export function operationForCall(method: string, path: string, body: Record<string, unknown> = {}): Operation | undefined {
  for (const route of callRoutes()) {
    const m = route.method === method ? route.pattern.exec(path) : null;
    if (m) return route.build(Object.fromEntries(route.names.map((name, i) => [name, m[i + 1]!])), body);
  }
  return undefined;
}

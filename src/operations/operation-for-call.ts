// An HTTP call written as data (a lab's or quiz's `calls`) -> the engine Operation the same
// call makes on the server: matched against openapi.yaml's own paths, path parameters
// coerced as the document types them, built by the same builders the route handlers use.
// No second route table.
import { loadOpenApiDocument, routeSpecs, type JsonSchema } from '../contract/openapi-document.js';
import type { Operation } from '../sim/index.js';
import { OPERATION_BUILDERS, type StateChangingId } from './by-operation-id.js';

/** A builder taking a call's parameters and body as they come, untyped (the builder's own checks apply). */
type DataBuilder = (params: Record<string, string | number>, body: Record<string, unknown>) => Operation;

interface CallRoute {
  method: string;
  pattern: RegExp;
  /** Path parameter names in order, and whether each is an integer. */
  params: { name: string; integer: boolean }[];
  build: DataBuilder;
}

const isStateChanging = (operationId: string): operationId is StateChangingId => operationId in OPERATION_BUILDERS;

let routes: CallRoute[] | undefined;

/** The document's state-changing routes, read once. */
function callRoutes(): CallRoute[] {
  routes ??= routeSpecs(loadOpenApiDocument().document).flatMap((spec) => {
    if (!isStateChanging(spec.operationId)) return [];
    const types = (spec.schema.params?.properties ?? {}) as Record<string, JsonSchema>;
    const params = [...spec.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name: name!, integer: types[name!]?.type === 'integer' }));
    const pattern = new RegExp(`^${spec.path.replace(/\{\w+\}/g, '([^/]+)')}$`);
    return [{ method: spec.method, pattern, params, build: OPERATION_BUILDERS[spec.operationId] as DataBuilder }];
  });
  return routes;
}

/** The operation behind a state-changing call; undefined when no such route changes state. */
export function operationForCall(method: string, path: string, body: Record<string, unknown> = {}): Operation | undefined {
  for (const route of callRoutes()) {
    const m = route.method === method ? route.pattern.exec(path) : null;
    if (m) return route.build(Object.fromEntries(route.params.map((p, i) => [p.name, p.integer ? Number(m[i + 1]) : m[i + 1]!])), body);
  }
  return undefined;
}

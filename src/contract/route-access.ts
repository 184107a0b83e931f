// Who may call a route, decided on the route the router matched (its operationId, or its URL
// template), never on the request's URL text: "/%761/vms" and "/v1/vms" match the same
// route, so they get the same answer. With tokens configured every route needs a token
// unless it is on OPEN_OPERATIONS (or is Swagger UI's); deny by default.

/** The operations anyone may call, tokens or not: probes, the document, the viewer's files. */
export const OPEN_OPERATIONS: ReadonlySet<string> = new Set(['healthz', 'readyz', 'getOpenApiYaml', 'getOpenApiJson', 'getUi', 'getUiFile']);

/** Prometheus scrapes: open unless METRICS_TOKEN is set, then that token only. */
export const METRICS_OPERATION = 'getMetrics';

/** Swagger UI's own routes (the page and its assets; not operations of the document) live here. */
const DOCS_ROUTE = /^\/docs(\/|$)/;

/**
 * open: no token, no rate limit. metrics: METRICS_TOKEN if set; rate-limited. api: a token
 * when tokens are on; rate-limited, and held until the VMs are rebuilt. unmatched: the 404
 * (no route ran, so nothing to protect); rate-limited.
 */
export type RouteAccess = 'open' | 'metrics' | 'api' | 'unmatched';

/** The matched route as Fastify gives it (`request.routeOptions`); `url` is undefined for the 404 handler. */
interface MatchedRoute {
  url?: string | undefined;
  method?: string | string[] | undefined;
  config?: unknown;
}

/**
 * Whether the matched route only reads: a GET (HEAD rides on it). A teacher token reads a
 * student's lab session and VMs on such a route, and is refused on every other one.
 */
export function readOnlyRoute(route: MatchedRoute): boolean {
  const methods = route.method === undefined ? [] : [route.method].flat();
  return route.url !== undefined && methods.length > 0 && methods.every((m) => m === 'GET' || m === 'HEAD');
}

export function routeAccess(route: MatchedRoute): RouteAccess {
  if (route.url === undefined) return 'unmatched';
  const operationId = (route.config as { operationId?: unknown } | undefined)?.operationId;
  if (typeof operationId === 'string') {
    if (OPEN_OPERATIONS.has(operationId)) return 'open';
    return operationId === METRICS_OPERATION ? 'metrics' : 'api';
  }
  return DOCS_ROUTE.test(route.url) ? 'open' : 'api';
}

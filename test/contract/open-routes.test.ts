// The open list in code (contract/route-access.ts) and the document's `security: []`
// operations are the same list: a route opened in one is opened in the other.
import { expect, it } from 'vitest';
import { METRICS_OPERATION, OPEN_OPERATIONS, routeAccess } from '../../src/contract/route-access.js';
import { openapi } from '../helpers/openapi.js';

it('opens exactly the operations openapi.yaml marks security: [] (and /metrics unless METRICS_TOKEN)', () => {
  const declaredOpen = Object.values(openapi.document.paths)
    .flatMap((item) => Object.values(item))
    .filter((op): op is { operationId: string; security?: unknown[] } => typeof op === 'object' && op !== null && 'operationId' in op)
    .filter((op) => Array.isArray(op.security) && op.security.length === 0)
    .map((op) => op.operationId);
  expect(new Set(declaredOpen)).toEqual(new Set([...OPEN_OPERATIONS, METRICS_OPERATION]));
});

it('denies by default: a route without an operationId needs a token unless it is Swagger UI, and no route means 404', () => {
  expect(routeAccess({ url: '/v1/vms', config: { operationId: 'listVms' } })).toBe('api');
  expect(routeAccess({ url: '/healthz', config: { operationId: 'healthz' } })).toBe('open');
  expect(routeAccess({ url: '/metrics', config: { operationId: METRICS_OPERATION } })).toBe('metrics');
  expect(routeAccess({ url: '/healthz', config: {} })).toBe('api');
  expect(routeAccess({ url: '/anything-added-later' })).toBe('api');
  expect(routeAccess({ url: '/docsx', config: {} })).toBe('api');
  for (const url of ['/docs', '/docs/', '/docs/static/*', '/docs/json']) expect(routeAccess({ url, config: {} })).toBe('open');
  expect(routeAccess({ url: undefined, config: {} })).toBe('unmatched');
});

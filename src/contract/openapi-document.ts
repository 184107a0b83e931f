// Reads openapi.yaml (the single source of truth) and turns each operation into a route
// description: method, Fastify URL, and request schemas with every $ref resolved.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseYaml } from './parse-yaml.js';

export const OPENAPI_PATH = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));

export type JsonSchema = Record<string, unknown>;

interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
}

interface OperationObject {
  operationId?: string;
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, unknown>;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
}

export interface LoadedDocument {
  /** The YAML text as written (served at /openapi.yaml). */
  text: string;
  /** The parsed document, $refs intact (served at /openapi.json and /docs). */
  document: OpenApiDocument;
}

export interface RouteSpec {
  operationId: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The OpenAPI path, e.g. /v1/vms/{vmId}. */
  path: string;
  /** The Fastify URL, e.g. /v1/vms/:vmId. */
  url: string;
  /** The first 2xx status the document lists: the route's default reply status. */
  successStatus: number;
  /** The request body may be left out (requestBody.required false): it then reads as {}. */
  optionalBody: boolean;
  schema: { body?: JsonSchema; params?: JsonSchema; querystring?: JsonSchema };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export function loadOpenApiDocument(path = OPENAPI_PATH): LoadedDocument {
  const text = readFileSync(path, 'utf8');
  return { text, document: parseYaml(text) as OpenApiDocument };
}

/** Resolve every local "#/..." $ref (siblings of a $ref override the target's keywords). */
export function dereference<T>(document: OpenApiDocument, node: T, trail: string[] = []): T {
  if (Array.isArray(node)) return node.map((item) => dereference(document, item, trail)) as T;
  if (node === null || typeof node !== 'object') return node;
  const { $ref, ...siblings } = node as Record<string, unknown>;
  if (typeof $ref === 'string') {
    if (trail.includes($ref)) throw new Error(`openapi.yaml: circular $ref ${[...trail, $ref].join(' -> ')}`);
    const target = resolvePointer(document, $ref);
    const resolved = dereference(document, target, [...trail, $ref]) as Record<string, unknown>;
    return { ...resolved, ...dereference(document, siblings, trail) } as T;
  }
  return Object.fromEntries(Object.entries(siblings).map(([key, value]) => [key, dereference(document, value, trail)])) as T;
}

function resolvePointer(document: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`openapi.yaml: only local $refs are supported, got ${ref}`);
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    if (node === undefined) throw new Error(`openapi.yaml: unresolved $ref ${ref}`);
  }
  return node;
}

/** Parameters of one location as a closed object schema (unknown names are a 400). */
function parameterSchema(parameters: ParameterObject[], location: 'path' | 'query'): JsonSchema | undefined {
  const own = parameters.filter((p) => p.in === location);
  if (own.length === 0) return location === 'query' ? { type: 'object', properties: {}, additionalProperties: false } : undefined;
  return {
    type: 'object',
    properties: Object.fromEntries(own.map((p) => [p.name, p.schema])),
    required: own.filter((p) => p.required).map((p) => p.name),
    additionalProperties: false,
  };
}

/** One RouteSpec per operation in the document, request schemas fully dereferenced. */
export function routeSpecs(document: OpenApiDocument): RouteSpec[] {
  const specs: RouteSpec[] = [];
  for (const [path, rawItem] of Object.entries(document.paths)) {
    // Only the request parts are dereferenced: the responses, most of the document, are not
    // needed here, and resolving them was most of a start's time spent on the contract.
    const item = '$ref' in rawItem ? dereference(document, rawItem) : rawItem;
    const shared = dereference(document, (item.parameters ?? []) as ParameterObject[]);
    for (const method of METHODS) {
      const operation = item[method] as OperationObject | undefined;
      if (!operation) continue;
      if (!operation.operationId) throw new Error(`openapi.yaml: ${method.toUpperCase()} ${path} has no operationId`);
      // Operation-level parameters override path-level ones of the same name and location.
      const own = dereference(document, operation.parameters ?? []);
      const parameters = [...shared.filter((s) => !own.some((o) => o.name === s.name && o.in === s.in)), ...own];
      const requestBody = dereference(document, operation.requestBody);
      const body = requestBody?.content?.['application/json']?.schema;
      const successStatus = Number(Object.keys(operation.responses).find((code) => /^2\d\d$/.test(code)) ?? 200);
      const params = parameterSchema(parameters, 'path');
      specs.push({
        operationId: operation.operationId,
        method: method.toUpperCase() as RouteSpec['method'],
        path,
        url: path.replace(/\{(\w+)\}/g, ':$1'),
        successStatus,
        optionalBody: Boolean(body) && requestBody?.required !== true,
        schema: {
          ...(body && { body }),
          ...(params && { params }),
          querystring: parameterSchema(parameters, 'query'),
        },
      });
    }
  }
  return specs;
}

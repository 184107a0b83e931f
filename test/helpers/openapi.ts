// Checks a response against what openapi.yaml documents for its operation and status,
// so the document cannot drift from what the service answers.
import { expect } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { dereference, loadOpenApiDocument, type JsonSchema } from '../../src/contract/openapi-document.js';

export const openapi = loadOpenApiDocument();

const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();

interface ResponseObject {
  content?: Record<string, { schema?: JsonSchema }>;
}

function operationById(operationId: string): { responses: Record<string, ResponseObject> } {
  for (const item of Object.values(openapi.document.paths)) {
    for (const operation of Object.values(item)) {
      const op = operation as { operationId?: string; responses: Record<string, ResponseObject> };
      if (op?.operationId === operationId) return dereference(openapi.document, op);
    }
  }
  throw new Error(`no operation ${operationId} in openapi.yaml`);
}

/** What expectDocumented reads of a response: supertest's, or an inject one through `fromInject`. */
export interface CheckedResponse {
  status: number;
  headers: Record<string, unknown>;
  text: string;
  body: unknown;
}

/** An app.inject() answer in supertest's shape (body parsed when it is JSON). */
export function fromInject(res: { statusCode: number; headers: Record<string, unknown>; body: string }): CheckedResponse {
  const json = /json/.test(String(res.headers['content-type'] ?? ''));
  return { status: res.statusCode, headers: res.headers, text: res.body, body: json && res.body !== '' ? JSON.parse(res.body) : {} };
}

/** Asserts the status is documented for the operation and the body matches its schema. */
export function expectDocumented(response: CheckedResponse, operationId: string): void {
  const documented = operationById(operationId).responses[String(response.status)];
  expect(documented, `${operationId} does not document status ${response.status}: ${response.text}`).toBeDefined();
  const contentType = String(response.headers['content-type'] ?? '').split(';')[0]!;
  if (!documented!.content) {
    expect(response.text).toBe('');
    return;
  }
  const media = documented!.content[contentType];
  expect(media, `${operationId} ${response.status} does not document ${contentType}`).toBeDefined();
  const key = `${operationId} ${response.status} ${contentType}`;
  let validate = compiled.get(key);
  if (!validate) compiled.set(key, (validate = ajv.compile(media!.schema ?? {})));
  const body = contentType.endsWith('json') ? response.body : response.text;
  expect(validate(body) ? [] : validate.errors, `${key} body: ${JSON.stringify(body).slice(0, 500)}`).toEqual([]);
}

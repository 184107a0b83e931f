// fast-check arbitraries for requests against one openapi.yaml operation: path parameters,
// query strings and bodies that are valid, edge-valued (u64 limits, "0x", 1e309, ...),
// adversarial (prototype-pollution keys, deep nesting, huge strings, broken JSON, other
// content types) or random. `SEED_VM` stands for the test's live VM id.
import fc from 'fast-check';
import { dereference, type OpenApiDocument, type RouteSpec } from '../../src/contract/openapi-document.js';

export const SEED_VM = '{seed-vm}';

export interface FuzzRequest {
  method: RouteSpec['method'];
  url: string;
  contentType?: string;
  payload?: string;
}

/** JSON text with "RAW:<text>" strings spliced in as raw tokens (1e309, -0, ...). */
const RAW = /"RAW:([^"]*)"/g;
const toJsonText = (value: unknown): string => (JSON.stringify(value) ?? 'null').replace(RAW, '$1');

const EDGE_VALUES: unknown[] = [
  2 ** 53,
  2 ** 53 - 1,
  '9007199254740993',
  '18446744073709551615',
  '0xffffffffffffffff',
  '18446744073709551616',
  '0x10000000000000000',
  -1,
  '-1',
  '0x',
  '0xG',
  'RAW:1e309',
  'RAW:-1e309',
  'RAW:-0',
  1.5,
  0,
  '0',
  '',
  ' 1',
  '0x3fffffc00000',
  4096,
  4095,
  2 ** 31,
  2 ** 32,
  null,
  true,
  false,
  [],
  {},
  [0, 0, 0, 0, 0, 0],
  { a: { b: { c: {} } } },
  'A'.repeat(10_000),
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '\ud83d\ude00',
  '__proto__',
  'constructor',
  'r0',
  'ENOMEM',
];
const edgeValue = fc.constantFrom(...EDGE_VALUES);

const EDGE_STRINGS = [
  '-1',
  '0x',
  '0xG',
  '1e309',
  '9007199254740992',
  '18446744073709551615',
  '18446744073709551616',
  'NaN',
  'Infinity',
  '__proto__',
  'constructor',
  'prototype',
  '..',
  '%00',
  'a'.repeat(300),
  'ü',
  '0.5',
  ' 0',
  '00',
  '+1',
  'null',
  '[]',
  '{}',
  '\u0000',
  '\ud800',
  '1\u0000',
];
const UNSTORABLE_STRINGS = ['\u0000', 'ada\u0000', '\ud800', 'ada\udfff', '\udc00\ud800'];

/** Any UTF-16 code unit, unpaired surrogates and NUL included. */
const anyCodeUnit = fc.nat(0xffff).map((c) => String.fromCharCode(c));
const edgeString = fc.oneof(fc.constantFrom(...EDGE_STRINGS), fc.string({ maxLength: 20 }), fc.string({ unit: anyCodeUnit, maxLength: 8 }));

/** Percent-encodes a URL part; an unpaired surrogate (which has no UTF-8) as the bytes WTF-8 would give it. */
function encodePart(text: string): string {
  return [...text]
    .map((ch) => {
      const unit = ch.charCodeAt(0);
      if (ch.length === 1 && unit >= 0xd800 && unit <= 0xdfff)
        return [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
      return encodeURIComponent(ch);
    })
    .join('');
}

/** Parameters that have an obviously valid value against the seed VM. */
const VALID_PARAM: Record<string, string[]> = {
  vmId: [SEED_VM],
  vcpuId: ['0', '1'],
  addressSpace: ['0', '1'],
  slot: ['10', '0'],
  rootId: ['r0', 'r1'],
  from: ['0x0', '0x3fffffc00000'],
  to: ['0x400000000000', '0x1000'],
  gpa: ['0x3fffffc00000', '0'],
  limit: ['1', '10', '1000'],
  cursor: ['1', '0x3fffffc01000'],
  labId: ['huge-pages', 'six-roots'],
};

const paramValue = (name: string) =>
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...(VALID_PARAM[name] ?? ['x'])) }, { weight: 1, arbitrary: edgeString });

const POLLUTION = [
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"name":"x","__proto__":{"polluted":true}}',
];
const BROKEN_JSON = ['{', '{"a":}', '', 'null', '[]', '"text"', '1e309', '{"gpa":1,"gpa":2}', '\u0000', '{"a":1}garbage'];
const rawBody = fc.constantFrom(
  ...POLLUTION,
  ...BROKEN_JSON,
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`, // deep nesting, under the body limit
  `{"name":"${'x'.repeat(70_000)}"}`, // over the body limit
);

type Json = Record<string, unknown>;

/** Every path to a leaf of an example object, e.g. ["backing", "pageSize"]. */
function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return prefix.length ? [prefix] : [];
  const entries = Object.entries(value as Json);
  return entries.length === 0 ? [prefix] : entries.flatMap(([k, v]) => [[...prefix, k], ...leafPaths(v, [...prefix, k])]);
}

function setAt(example: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(example) as Json;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Json;
  node[path[path.length - 1]!] = value;
  return copy;
}

function bodyArbitrary(examples: unknown[]): fc.Arbitrary<string> {
  const objects = examples.filter((e): e is Json => e !== null && typeof e === 'object' && !Array.isArray(e));
  const example = objects.length ? fc.constantFrom(...objects) : fc.constant<Json>({});
  return fc.oneof(
    { weight: 5, arbitrary: example.map(toJsonText) },
    {
      weight: 4,
      arbitrary: example.chain((e) =>
        fc.tuple(fc.constantFrom(...(leafPaths(e).length ? leafPaths(e) : [['x']])), edgeValue).map(([p, v]) => toJsonText(setAt(e, p, v))),
      ),
    },
    {
      // A string no store can hold (NUL, an unpaired surrogate) in place of one of the example's strings.
      weight: 2,
      arbitrary: example.chain((e) => {
        const strings = leafPaths(e).filter((path) => typeof path.reduce<unknown>((node, key) => (node as Json)[key], e) === 'string');
        return fc
          .tuple(fc.constantFrom(...(strings.length ? strings : [['x']])), fc.constantFrom(...UNSTORABLE_STRINGS))
          .map(([p, v]) => toJsonText(setAt(e, p, v)));
      }),
    },
    {
      weight: 1,
      arbitrary: example.chain((e) =>
        fc
          .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', 'unknown', 'op', '\u0000', '\ud800'), edgeValue)
          .map(([k, v]) => toJsonText({ ...e, [k]: v })),
      ),
    },
    {
      weight: 1,
      arbitrary: example.chain((e) =>
        fc.constantFrom(...Object.keys(e), 'none').map((k) => toJsonText(Object.fromEntries(Object.entries(e).filter(([key]) => key !== k)))),
      ),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(toJsonText) },
    { weight: 2, arbitrary: rawBody },
  );
}

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/problem+json'),
  },
);

function examplesOf(document: OpenApiDocument, spec: RouteSpec): unknown[] {
  const operation = dereference(document, document.paths[spec.path]![spec.method.toLowerCase()]) as {
    requestBody?: { content?: Record<string, { examples?: Record<string, { value: unknown }> }> };
  };
  return Object.values(operation.requestBody?.content?.['application/json']?.examples ?? {}).map((e) => e.value);
}

/** Requests for one operation: its path with fuzzed parameters, a fuzzed query and, maybe, a body. */
export function requestArbitrary(document: OpenApiDocument, spec: RouteSpec): fc.Arbitrary<FuzzRequest> {
  const pathNames = [...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const queryNames = Object.keys((spec.schema.querystring?.properties as Json | undefined) ?? {});
  const path = fc
    .tuple(...pathNames.map(paramValue))
    .map((values) =>
      pathNames.reduce((url, name, i) => url.replace(`{${name}}`, values[i] === SEED_VM ? SEED_VM : encodePart(values[i]!)), spec.path),
    );
  const queryPair = fc.oneof(
    fc.constantFrom(...(queryNames.length ? queryNames : ['limit'])).chain((name) => paramValue(name).map((v) => [name, v] as const)),
    fc.tuple(fc.constantFrom('__proto__', 'constructor[prototype][polluted]', 'unknown', 'limit'), edgeString),
  );
  const query = fc.oneof(
    { weight: 2, arbitrary: fc.constant('') },
    {
      weight: 1,
      arbitrary: fc
        .array(queryPair, { minLength: 1, maxLength: 3 })
        .map((pairs) => `?${pairs.map(([k, v]) => `${encodePart(k)}=${encodePart(v)}`).join('&')}`),
    },
  );
  const hasBody = spec.schema.body !== undefined;
  const body = hasBody
    ? fc.tuple(contentType, bodyArbitrary(examplesOf(document, spec))).map(([type, payload]) => ({ contentType: type, payload }))
    : fc.oneof(
        { weight: 4, arbitrary: fc.constant({}) },
        { weight: 1, arbitrary: fc.tuple(contentType, rawBody).map(([type, payload]) => ({ contentType: type, payload })) },
      );
  return fc.tuple(path, query, body).map(([p, q, b]) => ({ method: spec.method, url: `${p}${q}`, ...b }));
}

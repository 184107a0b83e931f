// JSON Schema (2020-12) of one lab file: the shape only; catalogue.ts adds the checks a
// schema cannot express (names resolve, calls translate, set-ups run).
const u64 = {
  anyOf: [
    { type: 'string', pattern: '^(0x[0-9a-fA-F]{1,16}|[0-9]{1,20})$' },
    { type: 'integer', minimum: 0 },
  ],
};
/** Leaf sizes of every arch: x86 4K/2M/1G, arm64 16K/64K/32M/512M, s390 1M/2G. */
const level = { enum: ['4K', '16K', '64K', '1M', '2M', '32M', '512M', '1G', '2G'] };
const text = { type: 'string', minLength: 1 };

const roleFilter = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Paging levels: x86 4 or 5, an arm64 stage-2 2 to 4, an s390 gmap 2 to 5. */
    level: { enum: [2, 3, 4, 5] },
    smm: { type: 'boolean' },
    guestMode: { type: 'boolean' },
    mirror: { type: 'boolean' },
    addressSpace: { enum: [0, 1] },
    kind: { enum: ['s2-canonical', 's2-nested', 'gmap'] },
  },
};

/** Per check kind: its own fields (besides kind, vm, hint) and which are required. */
const CHECK_FIELDS: Record<string, { properties: Record<string, unknown>; required: string[] }> = {
  rootExists: {
    properties: { role: roleFilter, vcpus: { type: 'array', items: { type: 'integer', minimum: 0 } }, empty: { type: 'boolean' } },
    required: ['role'],
  },
  rootCount: { properties: { role: roleFilter, equals: { type: 'integer', minimum: 0 } }, required: ['equals'] },
  mappingAt: {
    properties: {
      gpa: u64,
      role: roleFilter,
      level,
      mapKind: { enum: ['ram', 'mmio'] },
      private: { type: 'boolean' },
      writable: { type: 'boolean' },
      dirty: { type: 'boolean' },
      accessed: { type: 'boolean' },
      executable: { type: 'boolean' },
    },
    required: ['gpa'],
  },
  leafCount: {
    properties: { role: roleFilter, from: u64, to: u64, level, equals: { type: 'integer', minimum: 0 }, atLeast: { type: 'integer', minimum: 1 } },
    required: ['from', 'to', 'level'],
  },
  vmState: { properties: { preFaultAllowed: { type: 'boolean' } }, required: ['preFaultAllowed'] },
  memslotFlags: {
    properties: {
      addressSpace: { enum: [0, 1] },
      slot: { type: 'integer', minimum: 0 },
      includes: { type: 'array', minItems: 1, items: { enum: ['readonly', 'guest_memfd', 'log_dirty_pages'] } },
    },
    required: ['addressSpace', 'slot', 'includes'],
  },
  memoryAttribute: { properties: { gpa: u64, private: { type: 'boolean' } }, required: ['gpa', 'private'] },
  operationLogged: {
    properties: {
      op: { type: 'object', required: ['op'], properties: { op: { type: 'string' } } },
      result: { type: 'object' },
      atLeast: { type: 'integer', minimum: 1 },
    },
    required: ['op'],
  },
};

const check = {
  type: 'object',
  required: ['kind', 'vm', 'hint'],
  properties: { kind: { enum: Object.keys(CHECK_FIELDS) } },
  allOf: Object.entries(CHECK_FIELDS).map(([kind, f]) => ({
    if: { properties: { kind: { const: kind } } },
    then: {
      additionalProperties: false,
      required: f.required,
      properties: { kind: { const: kind }, vm: text, hint: text, ...f.properties },
    },
  })),
};

const apiCall = {
  type: 'object',
  additionalProperties: false,
  required: ['method', 'path'],
  properties: {
    method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
    path: { type: 'string', pattern: '^/v1/' },
    body: { type: 'object' },
  },
};

/** A root role offered as a rootRole answer: what POST .../prediction takes as rootRole. */
const roleChoice = {
  type: 'object',
  additionalProperties: false,
  required: ['smm', 'guestMode'],
  properties: { smm: { type: 'boolean' }, guestMode: { type: 'boolean' }, level: { enum: [2, 3, 4, 5] } },
};

/** A prediction a task asks for before its call: the outcome of calls[call - 1]. */
const predictItem = {
  type: 'object',
  additionalProperties: false,
  required: ['field', 'call', 'label'],
  properties: {
    field: { enum: ['ret', 'rootRole', 'level', 'iterations'] },
    call: { type: 'integer', minimum: 1 },
    label: text,
    /** Text answers; for rootRole, roles (a role's level matters: an arm64 stage-2 has 2 to 4 levels, x86 4 or 5). */
    choices: { type: 'array', minItems: 2, items: { anyOf: [text, roleChoice] } },
  },
};

const vmSetup = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'config'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$' },
    config: { type: 'object', not: { required: ['name'] } },
    memslots: {
      type: 'array',
      items: {
        type: 'object',
        required: ['addressSpace', 'slot', 'guestPhysAddr', 'size'],
        properties: { addressSpace: { enum: [0, 1] }, slot: { type: 'integer', minimum: 0 }, guestPhysAddr: u64, size: u64 },
      },
    },
    memoryAttributes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['address', 'size', 'private'],
        properties: { address: u64, size: u64, private: { type: 'boolean' } },
      },
    },
    vcpus: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 0 } } } },
    finalize: { type: 'boolean' },
  },
};

/** The Ajv options the lab schema is compiled with (by the catalogue, or ahead of time by the build). */
export const LAB_AJV_OPTIONS = { allErrors: true, strict: false } as const;

export const LAB_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'goal', 'spec', 'vms', 'tasks'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,47}$' },
    title: text,
    goal: text,
    spec: { type: 'array', items: text },
    vms: { type: 'array', minItems: 1, items: vmSetup },
    tasks: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['n', 'title', 'explain', 'calls', 'checks'],
        properties: {
          n: { type: 'integer', minimum: 1 },
          title: text,
          /** What to do, without the outcome: shown in predict mode until the prediction is stored. */
          prompt: text,
          explain: text,
          calls: { type: 'array', minItems: 1, items: apiCall },
          predict: { type: 'array', minItems: 1, items: predictItem },
          checks: { type: 'array', minItems: 1, items: check },
        },
      },
    },
  },
} as const;

// The request validators the build compiled ahead of time (scripts/build.mjs writes them
// beside this file in dist/ as Ajv standalone code, from precompile-validators.ts). A
// schema is found by a hash of its kind and text, so an edited openapi.yaml (or a run from
// the sources, where no such file is) finds none and its schemas are compiled at start.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { loadPrebuilt } from './load-ajv.js';
import type { PrecompiledValidator, RequestPartKind, Validate } from './request-validation.js';

/** The file of each kind's validators, beside the compiled contract. */
export const VALIDATOR_FILES: Record<RequestPartKind, string> = {
  body: 'request-validators-body.cjs',
  string: 'request-validators-string.cjs',
};

/** The name a schema's validator is exported under (an identifier: v + a sha256). */
export const validatorKey = (kind: RequestPartKind, schema: Record<string, unknown>): string =>
  `v${createHash('sha256').update(kind).update('\0').update(JSON.stringify(schema)).digest('hex')}`;

/** The validators built into `dir` (this module's folder by default), looked up by schema. */
export function precompiledValidators(dir: string = import.meta.dirname): PrecompiledValidator {
  const modules = Object.fromEntries(
    Object.entries(VALIDATOR_FILES).map(([kind, file]) => [kind, loadPrebuilt<Record<string, Validate>>(resolve(dir, file)) ?? {}]),
  ) as Record<RequestPartKind, Record<string, Validate>>;
  return (kind, schema) => {
    const validators = modules[kind];
    const key = validatorKey(kind, schema);
    return Object.hasOwn(validators, key) ? validators[key] : undefined;
  };
}

// Ajv's JSON Schema 2020-12 class, loaded when first asked for. Run from dist/, the request
// and lab validators are prebuilt (scripts/build.mjs) and need only Ajv's small runtime
// helpers, so a start does not load Ajv's compiler; run from the sources, they compile here.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020 } from 'ajv/dist/2020.js';

export const loadAjv2020 = (): typeof Ajv2020 => (createRequire(import.meta.url)('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 }).Ajv2020;

/** A module the build wrote (Ajv standalone code), or undefined when there is none (a run from the sources). */
export const loadPrebuilt = <T>(path: string): T | undefined => (existsSync(path) ? (createRequire(import.meta.url)(path) as T) : undefined);

// The lab catalogue: labs/*.yaml, parsed, schema-checked and cross-checked at load. A
// malformed lab throws with its file and the failing path; there is no partial catalogue.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { loadAjv2020, loadPrebuilt } from '../contract/load-ajv.js';
import { OPENAPI_PATH } from '../contract/openapi-document.js';
import { parseYaml } from '../contract/parse-yaml.js';
import { callToOperation, vmNamesIn } from './calls.js';
import { LAB_AJV_OPTIONS, LAB_SCHEMA } from './lab-schema.js';
import { buildEngineVm, sessionVm } from './session.js';
import type { Lab } from './lab-types.js';

export const LABS_DIR = resolve(import.meta.dirname, '../../labs');

export class LabError extends Error {
  constructor(file: string, detail: string) {
    super(`lab ${file}: ${detail}`);
    this.name = 'LabError';
  }
}

/**
 * The lab schema's validator. Compiling it is a tenth of a start's CPU, so the build writes
 * it beside the compiled catalogue as Ajv standalone code (scripts/build.mjs, same options);
 * run from the sources, it is compiled here.
 */
const PRECOMPILED = resolve(import.meta.dirname, 'lab-validator.cjs');
const validateShape: ValidateFunction = loadPrebuilt<ValidateFunction>(PRECOMPILED) ?? new (loadAjv2020())(LAB_AJV_OPTIONS).compile(LAB_SCHEMA);

/**
 * Lab files the build has already checked with this same code (scripts/build.mjs runs this
 * catalogue over labs/ and writes checked-labs.json beside it), keyed by the lab's text and
 * openapi.yaml's, whose routes a lab's calls must match. A start does not check those again:
 * the cross-checks run every set-up through the engine. Any other text (an edited lab or
 * openapi.yaml, another LABS_DIR, a run from the sources) is checked in full.
 */
const CHECKED_LABS = resolve(import.meta.dirname, 'checked-labs.json');
let checkedLabs: ReadonlySet<string> | undefined;
let openapiHash: string | undefined;

/** The key of a lab text in checked-labs.json. */
export function labCheckKey(source: string): string {
  openapiHash ??= createHash('sha256').update(readFileSync(OPENAPI_PATH)).digest('hex');
  return createHash('sha256').update(openapiHash).update('\0').update(source).digest('hex');
}

function checkedByBuild(source: string): boolean {
  checkedLabs ??= new Set(existsSync(CHECKED_LABS) ? (JSON.parse(readFileSync(CHECKED_LABS, 'utf8')) as string[]) : []);
  return checkedLabs.size > 0 && checkedLabs.has(labCheckKey(source));
}

/** Cross-references the schema cannot see: names, numbering, calls, and a set-up that runs. */
function crossCheck(lab: Lab, file: string): void {
  const fail = (detail: string): never => {
    throw new LabError(file, detail);
  };
  const names = new Set(lab.vms.map((v) => v.name));
  if (names.size !== lab.vms.length) fail('two VMs share a name');
  lab.tasks.forEach((t, i) => {
    if (t.n !== i + 1) fail(`task ${i + 1} is numbered ${t.n}; number tasks 1, 2, 3, ...`);
    for (const call of t.calls) {
      const refs = vmNamesIn(call.path);
      if (refs.length !== 1) fail(`task ${t.n}: ${call.path} must name exactly one VM as {vm:<name>}`);
      if (!names.has(refs[0]!)) fail(`task ${t.n}: ${call.path} names unknown VM ${refs[0]}`);
      try {
        callToOperation(call);
      } catch (e) {
        fail(`task ${t.n}: ${(e as Error).message}`);
      }
    }
    for (const c of t.checks) if (!names.has(c.vm)) fail(`task ${t.n}: a ${c.kind} check names unknown VM ${c.vm}`);
    const fields = new Set<string>();
    for (const p of t.predict ?? []) {
      if (fields.has(p.field)) fail(`task ${t.n}: predicts ${p.field} twice (one prediction per field and task)`);
      fields.add(p.field);
      const call = t.calls[p.call - 1];
      if (!call) fail(`task ${t.n}: predict ${p.field} names call ${p.call}, but the task has ${t.calls.length}`);
      if (!['pre_fault', 'access'].includes(callToOperation(call!).op?.op ?? ''))
        fail(`task ${t.n}: predict ${p.field} must name a pre-fault or access call`);
      // The page sends a chosen answer as it is: a role for rootRole, text for the others.
      if (p.choices?.some((c) => (typeof c === 'object') !== (p.field === 'rootRole')))
        fail(`task ${t.n}: predict ${p.field} choices must be ${p.field === 'rootRole' ? 'roles ({smm, guestMode, level})' : 'text'}`);
    }
    if (t.predict && !t.prompt) fail(`task ${t.n}: a task with predictions needs a prompt (what to do, without the outcome)`);
  });
  for (const setup of lab.vms) {
    try {
      buildEngineVm(sessionVm(lab.id, setup));
    } catch (e) {
      fail(`VM ${setup.name}: the set-up does not run: ${(e as Error).message}`);
    }
  }
}

/** Parse and validate one lab file's text. */
export function parseLab(source: string, file: string): Lab {
  let data: unknown;
  try {
    data = parseYaml(source);
  } catch (e) {
    throw new LabError(file, `not YAML: ${(e as Error).message}`);
  }
  if (checkedByBuild(source)) return data as Lab;
  if (!validateShape(data)) {
    const errors = (validateShape.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
    throw new LabError(file, `does not match the lab schema: ${[...new Set(errors)].slice(0, 8).join('; ')}`);
  }
  const lab = data as unknown as Lab;
  crossCheck(lab, file);
  return lab;
}

/** Every lab in `dir` (sorted by file name); throws on the first malformed one or a duplicate id. */
export function loadCatalogue(dir: string = LABS_DIR): Lab[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  const labs = files.map((f) => parseLab(readFileSync(join(dir, f), 'utf8'), f));
  const ids = new Set<string>();
  for (const [i, lab] of labs.entries()) {
    if (ids.has(lab.id)) throw new LabError(files[i]!, `duplicate lab id ${lab.id}`);
    ids.add(lab.id);
  }
  return labs;
}

/** The list view of a lab (no tasks): what GET /v1/labs shows. */
export function labSummary(lab: Lab): { id: string; title: string; goal: string; spec: string[]; taskCount: number } {
  return { id: lab.id, title: lab.title, goal: lab.goal, spec: lab.spec, taskCount: lab.tasks.length };
}

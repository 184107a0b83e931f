// Predict, then run: a task asks what a call will do (ret, the root's role, the leaf level,
// the number of iterations); the prediction is stored with how far each VM's log had got,
// and graded against the FIRST matching call logged after it: what the simulated kernel
// did, never what the client reports. A call made before the prediction does not grade it.
// The first prediction of a task is the graded one: it answers every field the task asks
// for at once, and is never replaced (a reset session starts over).
import { SimError } from '../sim/index.js';
import { callToOperation } from './calls.js';
import { errnoValue, sameErrno } from './errno-answer.js';
import { matches } from './match.js';
import type { LabTask, LevelName, LoggedOperation, PredictField, PredictItem } from './lab-types.js';

interface RootRolePrediction {
  smm: boolean;
  guestMode: boolean;
  level?: number;
}

/** A task's prediction, normalised: ret as a number (0 or -errno), rootRole null = "no root". */
export interface PredictionValues {
  ret?: number;
  rootRole?: RootRolePrediction | null;
  level?: LevelName;
  iterations?: number;
}

/** As stored: the values and, per session VM name, how many log entries existed then. */
export interface StoredPrediction {
  values: PredictionValues;
  logLengths: Record<string, number>;
}

interface GradedField {
  given: unknown;
  /** What the kernel did; absent until the predicted call has run after the prediction. */
  actual?: unknown;
  correct?: boolean;
}

export type GradedPrediction = Partial<Record<PredictField, GradedField>>;

type Body = { ret?: unknown; errno?: unknown; rootRole?: unknown; level?: unknown; iterations?: unknown };

const invalid = (field: string, message: string): SimError => new SimError('invalid', message, field);

/** The body of POST .../tasks/{n}/prediction for this task; only fields the task asks for. */
export function parsePrediction(task: LabTask, body: Body): PredictionValues {
  const asked = new Set((task.predict ?? []).map((p) => p.field));
  if (asked.size === 0) throw invalid('n', `task ${task.n} asks for no prediction`);
  const values: PredictionValues = {};
  const retGiven = body.ret ?? body.errno;
  if (retGiven !== undefined) {
    const ret = errnoValue(retGiven);
    if (ret === undefined)
      throw invalid(body.ret !== undefined ? 'ret' : 'errno', 'ret must be 0 or a negative errno, e.g. -22, "EINVAL" or "-EINVAL"');
    values.ret = ret;
  }
  if (body.rootRole !== undefined) {
    // Key order fixed, so that a stored prediction compares equal to the same one sent again.
    const r = body.rootRole as RootRolePrediction | null;
    values.rootRole = r && { smm: r.smm, guestMode: r.guestMode, ...(r.level !== undefined && { level: r.level }) };
  }
  if (body.level !== undefined) values.level = body.level as LevelName;
  if (body.iterations !== undefined) values.iterations = body.iterations as number;
  const given = Object.keys(values) as PredictField[];
  for (const f of given) if (!asked.has(f)) throw invalid(f, `task ${task.n} does not ask for ${f}; it asks for ${[...asked].join(', ')}`);
  // One graded prediction per task: a field left out now could never be predicted later.
  const missing = [...asked].filter((f) => values[f] === undefined);
  if (missing.length > 0)
    throw invalid(missing[0]!, `task ${task.n} asks for ${[...asked].join(', ')}: predict them all at once (missing ${missing.join(', ')})`);
  return values;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Whether two normalised predictions say the same (a retried POST is not a change). */
export const samePrediction = (a: PredictionValues, b: PredictionValues): boolean =>
  (['ret', 'rootRole', 'level', 'iterations'] as const).every((f) => sameJson(a[f], b[f]));

interface OutcomeLike {
  ret: number;
  root: { smm: boolean; guestMode: boolean; level: number } | null;
  iterations: { result: string; level: LevelName | null; count: number }[];
}

/** The value of `field` in a logged pre-fault or access result. */
function outcomeValue(field: PredictField, r: OutcomeLike): unknown {
  switch (field) {
    case 'ret':
      return r.ret;
    case 'rootRole':
      return r.root ? { smm: r.root.smm, guestMode: r.root.guestMode, level: r.root.level } : null;
    case 'level':
      // The leaf the first iteration installed or found (FIXED or SPURIOUS), as the trace row shows it.
      return r.iterations.find((row) => row.result === 'FIXED' || row.result === 'SPURIOUS')?.level ?? null;
    case 'iterations':
      return r.iterations.reduce((n, row) => n + row.count, 0);
  }
}

function sameOutcome(field: PredictField, given: unknown, actual: unknown): boolean {
  switch (field) {
    case 'ret':
      return sameErrno(given, actual);
    case 'rootRole': {
      if (given === null || actual === null) return given === actual;
      const g = given as RootRolePrediction;
      const a = actual as Required<RootRolePrediction>;
      return g.smm === a.smm && g.guestMode === a.guestMode && (g.level === undefined || g.level === a.level);
    }
    default:
      return given === actual;
  }
}

/** The session VM name a predict item's call runs on, and the operation to look for. */
function predictedCall(task: LabTask, item: PredictItem): { vm: string; op: object } {
  const { vm, op } = callToOperation(task.calls[item.call - 1]!);
  return { vm, op: op! };
}

/** The logged outcome of the item's call made after the prediction, if there is one yet. */
function actualOutcome(
  task: LabTask,
  item: PredictItem,
  logs: Record<string, LoggedOperation[]>,
  logLengths: Record<string, number>,
): { value: unknown } | undefined {
  const { vm, op } = predictedCall(task, item);
  const entry = (logs[vm] ?? []).slice(logLengths[vm] ?? 0).find((e) => matches(op, e.op));
  return entry ? { value: outcomeValue(item.field, entry.result as OutcomeLike) } : undefined;
}

/** Every predicted field's call has run after the prediction: the outcome is known, so the rule may show. */
export const isGraded = (graded: GradedPrediction | undefined): boolean =>
  graded !== undefined && Object.keys(graded).length > 0 && Object.values(graded).every((g) => g.correct !== undefined);

/** Per predicted field: what was given and, once the call ran after it, what happened. */
export function gradePrediction(task: LabTask, stored: StoredPrediction, logs: Record<string, LoggedOperation[]>): GradedPrediction {
  const graded: GradedPrediction = {};
  for (const item of task.predict ?? []) {
    const given = stored.values[item.field];
    if (given === undefined) continue;
    const outcome = actualOutcome(task, item, logs, stored.logLengths);
    graded[item.field] = outcome ? { given, actual: outcome.value, correct: sameOutcome(item.field, given, outcome.value) } : { given };
  }
  return graded;
}

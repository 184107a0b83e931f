// What `npm run lab:check` checks of a lab file: that the server would load it (the
// catalogue's schema and cross-checks) and that it can be passed. Played on the engine, a
// fresh session passes no check (a check that passes before any call grades nothing); each
// task's own calls, in order, make every check of that task pass; and every prediction a
// task asks for is graded by that task's calls.
import { parseLab } from './catalogue.js';
import { gradePrediction, parsePrediction, type StoredPrediction } from './predict.js';
import { startEngineSession } from './solve.js';
import type { Lab, LabTask } from './lab-types.js';

export interface LabCheckResult {
  /** The lab, if it parsed. */
  lab?: Lab;
  /** What is wrong, one sentence each; empty: the lab is valid and its solution passes. */
  problems: string[];
}

/** Any well-formed answer: the check is that the calls grade it, not that it is right. */
const PLACEHOLDER: Record<string, unknown> = { ret: 0, rootRole: null, level: '4K', iterations: 1 };

function playSolution(lab: Lab): string[] {
  const problems: string[] = [];
  const session = startEngineSession(lab);
  for (const task of session.grade().tasks)
    for (const c of task.checks) if (c.passed) problems.push(`task ${task.n}: its ${c.kind} check passes before any call (it grades nothing)`);
  for (const task of lab.tasks) {
    const stored = task.predict ? predictBefore(task, session.operations) : undefined;
    for (const call of task.calls) session.run(call);
    const now = session.grade().tasks.find((t) => t.n === task.n)!;
    for (const c of now.checks.filter((x) => !x.passed))
      problems.push(`task ${task.n}: after its calls, its ${c.kind} check on VM ${c.vm} fails: ${c.detail}`);
    if (stored) {
      const graded = gradePrediction(task, stored, session.operations);
      for (const p of task.predict!)
        if (graded[p.field]?.correct === undefined) problems.push(`task ${task.n}: its calls do not grade the prediction of ${p.field}`);
    }
  }
  return problems;
}

function predictBefore(task: LabTask, logs: Record<string, unknown[]>): StoredPrediction {
  const body = Object.fromEntries(task.predict!.map((p) => [p.field, PLACEHOLDER[p.field]]));
  return { values: parsePrediction(task, body), logLengths: Object.fromEntries(Object.entries(logs).map(([k, v]) => [k, v.length])) };
}

/** Validates `source` (the text of `file`) and plays its solution. */
export function checkLab(source: string, file: string): LabCheckResult {
  let lab: Lab;
  try {
    lab = parseLab(source, file);
  } catch (error) {
    return { problems: [(error as Error).message] };
  }
  return { lab, problems: playSolution(lab) };
}

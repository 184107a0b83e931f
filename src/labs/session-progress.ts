// A lab session as the student sees it, from what is stored (the session, each task's
// first pass and its one prediction) and what the VMs' logs and state show now. A task that
// passed stays passed: grading is of what the student did, and a later exploratory call
// must not take it back (nor show a hint that contradicts what the student just saw).
// In predict mode a predicting task's hints and check details wait, like its explanation,
// until the predicted calls have run: "no root {smm: true} yet" would give the answer away.
import { gradePrediction, type GradedPrediction, type StoredPrediction } from './predict.js';
import { outcomeWithheld, taskView, type LabMode, type TaskView } from './task-view.js';
import type { Lab, LabGrade, LoggedOperation, TaskGrade } from './lab-types.js';

export interface SessionRecord {
  id: string;
  labId: string;
  mode: LabMode;
  student: string | null;
  createdAt: Date;
  vms: { name: string; id: string }[];
}

interface TaskProgress {
  passedAt: Date | null;
  prediction: StoredPrediction | null;
  predictedAt: Date | null;
}

export type ProgressByTask = Map<number, TaskProgress>;

export interface LabSessionView {
  sessionId: string;
  labId: string;
  mode: LabMode;
  student: string | null;
  vms: { name: string; id: string; role: string; vmId: string }[];
  createdAt: string;
  tasks: TaskView[];
}

/** Per task with a stored prediction: graded against the logs (absent logs: not graded). */
export function gradedPredictions(lab: Lab, progress: ProgressByTask, logs: Record<string, LoggedOperation[]>): Map<number, GradedPrediction> {
  const out = new Map<number, GradedPrediction>();
  for (const task of lab.tasks) {
    const prediction = progress.get(task.n)?.prediction;
    if (prediction) out.set(task.n, gradePrediction(task, prediction, logs));
  }
  return out;
}

export function sessionView(lab: Lab, s: SessionRecord, progress: ProgressByTask, logs: Record<string, LoggedOperation[]>): LabSessionView {
  const predictions = gradedPredictions(lab, progress, logs);
  return {
    sessionId: s.id,
    labId: s.labId,
    mode: s.mode,
    student: s.student,
    vms: s.vms.map(({ name, id }) => ({ name, id, role: name, vmId: id })),
    createdAt: s.createdAt.toISOString(),
    tasks: lab.tasks.map((t) => {
      const p = progress.get(t.n);
      return taskView(t, s.mode, {
        passed: Boolean(p?.passedAt),
        ...(p?.prediction && { prediction: p.prediction }),
        ...(p?.predictedAt && { predictedAt: p.predictedAt }),
        ...(predictions.has(t.n) && { graded: predictions.get(t.n)! }),
      });
    }),
  };
}

export type CheckedTask = TaskGrade & { predictions?: GradedPrediction; withheld?: true };

const WITHHELD = 'withheld until you have predicted this task and made the calls it is about';

/**
 * The check answer: a task passes if its checks pass now or passed before (then its
 * failing checks carry no hint), with its predictions graded; and the tasks that pass for
 * the first time now, for the caller to store.
 */
export function checkedSession(
  lab: Lab,
  mode: LabMode,
  grade: LabGrade,
  progress: ProgressByTask,
  logs: Record<string, LoggedOperation[]>,
): { tasks: CheckedTask[]; passed: boolean; newlyPassed: number[] } {
  const predictions = gradedPredictions(lab, progress, logs);
  const newlyPassed: number[] = [];
  const tasks = grade.tasks.map((t): CheckedTask => {
    const before = Boolean(progress.get(t.n)?.passedAt);
    if (t.passed && !before) newlyPassed.push(t.n);
    const passed = t.passed || before;
    const withheld = outcomeWithheld(lab.tasks[t.n - 1]!, mode, predictions.get(t.n));
    const checks = withheld
      ? t.checks.map(({ hint: _hint, ...c }) => ({ ...c, detail: WITHHELD }))
      : passed
        ? t.checks.map(({ hint: _hint, ...c }) => c)
        : t.checks;
    return {
      ...t,
      passed,
      checks,
      ...(predictions.has(t.n) && { predictions: predictions.get(t.n)! }),
      ...(withheld && { withheld: true as const }),
    };
  });
  return { tasks, passed: tasks.every((t) => t.passed), newlyPassed };
}

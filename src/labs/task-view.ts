// What a student sees of a task. Guided mode shows everything (today's labs). Predict mode
// keeps a predicting task's outcome to itself: its calls appear once the prediction is
// stored (the student needs them to run it), its explanation (the rule) and its checks'
// hints only once the graded calls have run after the prediction.
import { isGraded, type GradedPrediction, type StoredPrediction } from './predict.js';
import type { ApiCall, Lab, LabTask, PredictChoice, PredictField } from './lab-types.js';

export type LabMode = 'guided' | 'predict';
export const LAB_MODES: readonly LabMode[] = ['guided', 'predict'];

export interface TaskState {
  /** Stored once passed: a later call that changes the VM cannot un-pass it. */
  passed: boolean;
  prediction?: StoredPrediction;
  predictedAt?: Date;
  graded?: GradedPrediction;
}

export interface TaskView {
  n: number;
  title: string;
  prompt?: string;
  explain?: string;
  calls?: ApiCall[];
  predict?: { field: PredictField; label: string; call: number; choices?: PredictChoice[] }[];
  passed: boolean;
  /** The calls come back once a prediction is stored. */
  hidden: boolean;
  predictedAt?: string;
  predictions?: GradedPrediction;
}

/** Predict mode, a task that asks for predictions, whose outcome the student has not seen graded yet. */
export const outcomeWithheld = (task: LabTask, mode: LabMode, graded: GradedPrediction | undefined): boolean =>
  mode === 'predict' && task.predict !== undefined && !isGraded(graded);

export function taskView(task: LabTask, mode: LabMode, state: TaskState): TaskView {
  const hidden = mode === 'predict' && task.predict !== undefined && state.prediction === undefined;
  const withheld = outcomeWithheld(task, mode, state.graded);
  return {
    n: task.n,
    title: task.title,
    ...(task.prompt !== undefined && { prompt: task.prompt }),
    ...(!withheld && { explain: task.explain }),
    ...(!hidden && { calls: task.calls }),
    ...(task.predict && { predict: task.predict.map(({ field, label, call, choices }) => ({ field, label, call, ...(choices && { choices }) })) }),
    passed: state.passed,
    hidden,
    ...(state.predictedAt && { predictedAt: state.predictedAt.toISOString() }),
    ...(state.graded && { predictions: state.graded }),
  };
}

/** A task as a student reads it: no checks, and no calls or explanation before its prediction. */
type StudentTask = Omit<LabTask, 'checks' | 'explain' | 'calls'> & Partial<Pick<LabTask, 'explain' | 'calls'>>;

/**
 * The lab as a student token may read it (GET /v1/labs/{labId}): no checks (they hold the
 * expected results), and no calls or explanation for tasks that ask for predictions.
 */
export function studentLab(lab: Lab): Omit<Lab, 'tasks'> & { tasks: StudentTask[] } {
  return {
    ...lab,
    tasks: lab.tasks.map(({ checks: _checks, explain, calls, ...task }) => ({ ...task, ...(!task.predict && { explain, calls }) })),
  };
}

// What a student sees of a task. Guided mode shows everything (today's labs). Predict mode
// hides the calls and the explanation of a task that asks for predictions until its
// prediction is stored: the prompt says what to do, not what will happen.
import type { GradedPrediction, StoredPrediction } from './predict.js';
import type { ApiCall, Lab, LabTask, PredictField } from './types.js';

export type LabMode = 'guided' | 'predict';
export const LAB_MODES: readonly LabMode[] = ['guided', 'predict'];

export interface TaskState {
  /** Stored once passed: a later call that changes the VM cannot un-pass it. */
  passed: boolean;
  prediction?: StoredPrediction;
  graded?: GradedPrediction;
}

export interface TaskView {
  n: number;
  title: string;
  prompt?: string;
  explain?: string;
  calls?: ApiCall[];
  predict?: { field: PredictField; label: string; call: number; choices?: string[] }[];
  passed: boolean;
  /** Hidden parts come back once a prediction is stored. */
  hidden: boolean;
  attempts?: number;
  predictions?: GradedPrediction;
}

export function taskView(task: LabTask, mode: LabMode, state: TaskState): TaskView {
  const hidden = mode === 'predict' && task.predict !== undefined && state.prediction === undefined;
  return {
    n: task.n,
    title: task.title,
    ...(task.prompt !== undefined && { prompt: task.prompt }),
    ...(!hidden && { explain: task.explain, calls: task.calls }),
    ...(task.predict && { predict: task.predict.map(({ field, label, call, choices }) => ({ field, label, call, ...(choices && { choices }) })) }),
    passed: state.passed,
    hidden,
    ...(state.prediction && { attempts: state.prediction.attempts }),
    ...(state.graded && { predictions: state.graded }),
  };
}

/**
 * The lab as a student token may read it (GET /v1/labs/{labId}): no checks (they hold the
 * expected results), and no calls or explanation for tasks that ask for predictions.
 */
export function studentLab(lab: Lab): Omit<Lab, 'tasks'> & { tasks: Partial<LabTask>[] } {
  return {
    ...lab,
    tasks: lab.tasks.map(({ checks: _checks, explain, calls, ...task }) => ({ ...task, ...(!task.predict && { explain, calls }) })),
  };
}

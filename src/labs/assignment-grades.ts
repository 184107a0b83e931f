// An assignment as a teacher grades it: a lab or a quiz handed out to every student, with an
// optional deadline. Work after the deadline is kept and shown (`late`) but does not count.
// A quiz assignment says how many attempts count (the first N before the deadline; the best
// of them is the grade) and when a student sees the key: after their first submission (so
// one attempt counts: a student who read the key cannot resubmit for marks), after the
// deadline, or never.
import type { components } from '../contract/openapi-types.js';
import type { GradedPrediction } from './predict.js';

export const REVEALS = ['after-first-submission', 'after-deadline', 'never'] as const;
export type Reveal = (typeof REVEALS)[number];

export interface AssignmentRules {
  kind: 'lab' | 'quiz';
  deadline: Date | null;
  reveal: Reveal;
  /** The first N attempts count; null: every attempt before the deadline. */
  attemptsCounted: number | null;
}

interface Attempt {
  score: number;
  total: number;
  createdAt: Date;
}

/** One assignment and every student's grade for it, as the contract has it. */
export type AssignmentProgress = components['schemas']['AssignmentProgress'];

/** A prediction is right when every predicted field was graded correct. */
export const predictedRight = (p: GradedPrediction | undefined): boolean => {
  const fields = Object.values(p ?? {});
  return fields.length > 0 && fields.every((f) => f.correct === true);
};

/** One student's grade for one assignment. */
export type AssignmentGradeRow = AssignmentProgress['students'][number];

const onTime = (deadline: Date | null, at: Date): boolean => deadline === null || at <= deadline;

/** Whether a student who has (or has not) submitted sees the key now; teachers always do. */
export function keyRevealed(rules: AssignmentRules, who: { teacher: boolean; submitted: boolean }, now: Date): boolean {
  if (who.teacher) return true;
  if (rules.reveal === 'after-first-submission') return who.submitted;
  if (rules.reveal === 'after-deadline') return rules.deadline !== null && now > rules.deadline;
  return false;
}

/** Whether the attempt numbered `n` (1 the first), made at `at`, counts for the grade. */
export const attemptCounts = (rules: AssignmentRules, n: number, at: Date): boolean =>
  onTime(rules.deadline, at) && (rules.attemptsCounted === null || n <= rules.attemptsCounted);

/** A quiz assignment's row from the student's attempts at its quiz, oldest first (none: not started). */
export function quizGradeRow(
  rules: AssignmentRules,
  student: string,
  quizId: string,
  outOf: number,
  attempts: readonly Attempt[],
): AssignmentGradeRow {
  if (attempts.length === 0) return { student, started: false, score: 0, outOf };
  const counted = attempts.filter((a, i) => attemptCounts(rules, i + 1, a.createdAt));
  return {
    student,
    started: true,
    id: quizId,
    startedAt: attempts[0]!.createdAt.toISOString(),
    score: Math.max(0, ...counted.map((a) => a.score)),
    outOf,
    late: attempts.filter((a) => !onTime(rules.deadline, a.createdAt)).length,
    attempts: attempts.length,
    counted: counted.length,
    lastAt: attempts.at(-1)!.createdAt.toISOString(),
  };
}

/** What a lab row reads of a session in the teacher's progress view. */
interface SessionProgress {
  sessionId: string;
  mode: string;
  createdAt: string;
  tasks: { passedAt?: string; predictedAt?: string; predictions?: GradedPrediction }[];
}

/** A lab assignment's row from the student's session of its lab (undefined: not started). */
export function labGradeRow(rules: AssignmentRules, student: string, taskCount: number, session: SessionProgress | undefined): AssignmentGradeRow {
  if (!session) return { student, started: false, score: 0, outOf: taskCount };
  const passed = session.tasks.filter((t) => t.passedAt !== undefined);
  const inTime = passed.filter((t) => onTime(rules.deadline, new Date(t.passedAt!)));
  const last = passed
    .map((t) => t.passedAt!)
    .sort()
    .at(-1);
  return {
    student,
    started: true,
    id: session.sessionId,
    mode: session.mode,
    startedAt: session.createdAt,
    score: inTime.length,
    outOf: taskCount,
    late: passed.length - inTime.length,
    predicted: session.tasks.filter((t) => t.predictedAt !== undefined).length,
    predictedRight: session.tasks.filter((t) => predictedRight(t.predictions)).length,
    ...(last !== undefined && { lastAt: last }),
  };
}

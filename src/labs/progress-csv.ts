// The teacher's progress as CSV (RFC 4180), for a spreadsheet or a grade book, under a header
// row: one row per student and assignment, then one per student and lab session or quiz that
// no assignment covers (practice).
import { predictedRight, type AssignmentGradeRow, type AssignmentProgress } from './assignment-grades.js';
import type { GradedPrediction } from './predict.js';
import type { QuizAttemptsSummary } from './quiz-attempts.js';

/** One student's lab session as the teacher's progress view lists it. */
interface SessionProgress {
  labId: string;
  sessionId: string;
  mode: string;
  createdAt: string;
  tasksPassed: number;
  taskCount: number;
  tasks: { n: number; passed: boolean; passedAt?: string; predictedAt?: string; predictions?: GradedPrediction }[];
}

type QuizProgress = { quizId: string; topic: string } & QuizAttemptsSummary;

export interface StudentProgress {
  student: string;
  sessions: SessionProgress[];
  quizzes: QuizProgress[];
}

/** The header row: what each column holds is in openapi.yaml (getTeacherProgressCsv). */
const COLUMNS = [
  'student',
  'kind',
  'item',
  'id',
  'mode',
  'started_at',
  'score',
  'out_of',
  'predicted',
  'predicted_right',
  'attempts',
  'first_score',
  'last_score',
  'last_at',
  'assignment',
  'assignment_id',
  'deadline',
  'counted',
  'late',
] as const;

type Row = Partial<Record<(typeof COLUMNS)[number], string | number>>;

/**
 * A field as RFC 4180 writes it: quoted (quotes doubled) when it holds a comma, a quote or a
 * line break. Text a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
 * apostrophe: student names are typed by students.
 */
function field(value: string | number | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const latest = (times: (string | undefined)[]): string | undefined =>
  times.filter((t): t is string => t !== undefined).reduce<string | undefined>((a, t) => (a === undefined || t > a ? t : a), undefined);

function sessionRow(student: string, s: SessionProgress): Row {
  return {
    student,
    kind: 'lab',
    item: s.labId,
    id: s.sessionId,
    mode: s.mode,
    started_at: s.createdAt,
    score: s.tasksPassed,
    out_of: s.taskCount,
    predicted: s.tasks.filter((t) => t.predictedAt !== undefined).length,
    predicted_right: s.tasks.filter((t) => predictedRight(t.predictions)).length,
    last_at: latest(s.tasks.map((t) => t.passedAt)),
  };
}

function quizRow(student: string, q: QuizProgress): Row {
  return {
    student,
    kind: 'quiz',
    item: q.topic,
    id: q.quizId,
    started_at: q.first.submittedAt,
    score: q.best.score,
    out_of: q.of,
    attempts: q.count,
    first_score: q.first.score,
    last_score: q.last.score,
    last_at: q.last.submittedAt,
  };
}

function assignmentRow(a: AssignmentProgress, g: AssignmentGradeRow): Row {
  return {
    student: g.student,
    kind: a.kind,
    item: a.item,
    id: g.id,
    mode: g.mode ?? a.mode,
    started_at: g.startedAt,
    score: g.score,
    out_of: g.outOf,
    predicted: g.predicted,
    predicted_right: g.predictedRight,
    attempts: g.attempts,
    last_at: g.lastAt,
    assignment: a.title,
    assignment_id: a.assignmentId,
    deadline: a.deadline ?? undefined,
    counted: g.counted,
    late: g.late,
  };
}

/** The CSV text: CRLF line ends, a header row, the assignments' rows, then practice rows student by student. */
export function progressCsv(students: readonly StudentProgress[], assignments: readonly AssignmentProgress[] = []): string {
  const assignedLabs = new Set(assignments.filter((a) => a.kind === 'lab').map((a) => a.item));
  const assignedQuizzes = new Set(assignments.flatMap((a) => (a.quizId === undefined ? [] : [a.quizId])));
  const rows = [
    ...assignments.flatMap((a) => a.students.map((g) => assignmentRow(a, g))),
    ...students.flatMap((s) => [
      ...s.sessions.filter((x) => !assignedLabs.has(x.labId)).map((x) => sessionRow(s.student, x)),
      ...s.quizzes.filter((q) => !assignedQuizzes.has(q.quizId)).map((q) => quizRow(s.student, q)),
    ]),
  ];
  const lines = [COLUMNS.join(','), ...rows.map((row) => COLUMNS.map((c) => field(row[c])).join(','))];
  return lines.map((line) => `${line}\r\n`).join('');
}

// The teacher's progress as CSV (RFC 4180), for a spreadsheet or a grade book: one row per
// student and lab session, and per student and quiz, under a header row.
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

/** A prediction is right when every predicted field was graded correct. */
const predictedRight = (p: GradedPrediction | undefined): boolean => {
  const fields = Object.values(p ?? {});
  return fields.length > 0 && fields.every((f) => f.correct === true);
};

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

/** The CSV text: CRLF line ends, a header row, then the rows student by student. */
export function progressCsv(students: readonly StudentProgress[]): string {
  const rows = students.flatMap((s) => [...s.sessions.map((x) => sessionRow(s.student, x)), ...s.quizzes.map((q) => quizRow(s.student, q))]);
  const lines = [COLUMNS.join(','), ...rows.map((row) => COLUMNS.map((c) => field(row[c])).join(','))];
  return lines.map((line) => `${line}\r\n`).join('');
}

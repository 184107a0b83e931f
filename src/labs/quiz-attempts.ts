// A student's attempts at one quiz, as a teacher reads them: every attempt is stored with
// its time; the summary is the first, the best (the earliest of equal scores) and the last,
// and how many there were. Which attempts count for a grade is the caller's choice: this
// only summarises the ones it is given.

interface Attempt {
  score: number;
  total: number;
  createdAt: Date;
}

interface AttemptView {
  score: number;
  submittedAt: string;
}

export interface QuizAttemptsSummary {
  of: number;
  count: number;
  first: AttemptView;
  best: AttemptView;
  last: AttemptView;
}

const attemptView = (a: Attempt): AttemptView => ({ score: a.score, submittedAt: a.createdAt.toISOString() });

/** `attempts` oldest first, at least one. */
export function quizAttemptsSummary(attempts: readonly Attempt[]): QuizAttemptsSummary {
  const first = attempts[0]!;
  const best = attempts.reduce((b, a) => (a.score > b.score ? a : b), first);
  return { of: first.total, count: attempts.length, first: attemptView(first), best: attemptView(best), last: attemptView(attempts.at(-1)!) };
}

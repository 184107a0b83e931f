// Seeded quizzes in the spirit of OSTEP's homework generators: generateQuiz(topic, seed)
// draws a set-up and questions, then RUNS THE ENGINE on each question's calls to fill
// the answer key. Same topic and seed => the same JSON, byte for byte.
import { parseU64, type OperationResult } from '../sim/index.js';
import { callToOperation } from './calls.js';
import { errnoValue, sameErrno } from './errno-answer.js';
import { mulberry32 } from './prng.js';
import { draftQuiz } from './quiz-topics.js';
import { QUIZ_TOPICS, type PublicQuiz, type Quiz, type QuizGrade, type QuizTopic, type StudentQuizGrade } from './quiz-types.js';
import { buildX86EngineVm, sessionVm } from './session.js';
import type { ApiCall, LabVmSetup } from './lab-types.js';

export * from './quiz-types.js';

export const isQuizTopic = (t: unknown): t is QuizTopic => QUIZ_TOPICS.includes(t as QuizTopic);

/** Make `calls` on a fresh engine VM built from `setup`; the results and the VM. */
function runOnFreshVm(setup: LabVmSetup, calls: ApiCall[]) {
  const { vm } = buildX86EngineVm(sessionVm('quiz', setup));
  const results: OperationResult[] = calls.map((call) => {
    const { op } = callToOperation(call);
    if (!op) throw new Error(`quiz call ${call.method} ${call.path} changes nothing`);
    return vm.apply(op);
  });
  return { vm, results };
}

export function generateQuiz(topic: QuizTopic, seed: number): Quiz {
  if (!isQuizTopic(topic)) throw new RangeError(`topic must be one of ${QUIZ_TOPICS.join(', ')}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError('seed must be an integer from 0 to 4294967295');
  const draft = draftQuiz(topic, mulberry32(seed));
  const questions = draft.questions.map((q, i) => ({ id: `q${i + 1}`, text: q.text, calls: q.calls, answer: q.answer }));
  const answers = draft.questions.map((q, i) => {
    const { vm, results } = runOnFreshVm(draft.setup, q.calls);
    return { id: `q${i + 1}`, ...q.measure(results, vm) };
  });
  return { topic, seed, title: draft.title, intro: draft.intro, setup: draft.setup, questions, answers };
}

/** The quiz without its answer key (what a student sees first). */
export function publicQuiz(quiz: Quiz): PublicQuiz {
  const { answers: _answers, ...rest } = quiz;
  return rest;
}

function sameAnswer(type: Quiz['questions'][number]['answer']['type'], given: unknown, expected: string | number): boolean {
  if (given === undefined || given === null) return false;
  try {
    if (type === 'u64') return parseU64(given, 'answer') === parseU64(expected, 'answer');
  } catch {
    return false;
  }
  if (type === 'integer') return Number(given) === expected;
  // An ioctl outcome may be spelled -22, "EINVAL" or "-EINVAL": the same fact.
  if (errnoValue(expected) !== undefined) return sameErrno(given, expected);
  return String(given).trim().toLowerCase() === String(expected).toLowerCase();
}

/** A grade as a student receives it: right or wrong per question, without the key (teachers read keys). */
export function withoutKey(grade: QuizGrade): StudentQuizGrade {
  return { ...grade, results: grade.results.map(({ id, correct, given }) => ({ id, correct, given })) };
}

/** Grade answers given as { q1: ..., q2: ... }; unknown ids are ignored, missing ones are wrong. */
export function gradeQuiz(quiz: Quiz, answers: Record<string, unknown>): QuizGrade {
  const results = quiz.questions.map((q) => {
    const key = quiz.answers.find((a) => a.id === q.id)!;
    const given = answers[q.id];
    return {
      id: q.id,
      correct: sameAnswer(q.answer.type, given, key.value),
      given: given ?? null,
      expected: key.value,
      explanation: key.explanation,
    };
  });
  return { score: results.filter((r) => r.correct).length, total: results.length, results };
}

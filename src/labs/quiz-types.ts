// Quiz vocabulary. A quiz is plain JSON: the set-up a student can rebuild through the
// API, questions phrased as API calls, and an answer key the engine computed.
import type { OperationResult, Vm } from '../sim/index.js';
import type { ApiCall, LabVmSetup } from './lab-types.js';

export const QUIZ_TOPICS = ['roots', 'huge-pages', 'errno', 'policies'] as const;
export type QuizTopic = (typeof QUIZ_TOPICS)[number];

type AnswerFormat = { type: 'choice'; choices: string[] } | { type: 'u64' } | { type: 'integer' };

interface QuizQuestion {
  id: string;
  text: string;
  /** Made in order on a fresh copy of the set-up; the question is about their outcome. */
  calls: ApiCall[];
  answer: AnswerFormat;
}

interface QuizAnswer {
  id: string;
  value: string | number;
  explanation: string;
}

export interface Quiz {
  topic: QuizTopic;
  seed: number;
  title: string;
  intro: string;
  setup: LabVmSetup;
  questions: QuizQuestion[];
  answers: QuizAnswer[];
}

export type PublicQuiz = Omit<Quiz, 'answers'>;

/** A question while it is generated: `measure` reads the engine's outcome of its calls. */
export interface QuestionDraft {
  text: string;
  calls: ApiCall[];
  answer: AnswerFormat;
  measure: (results: OperationResult[], vm: Vm) => { value: string | number; explanation: string };
}

export interface TopicDraft {
  title: string;
  intro: string;
  setup: LabVmSetup;
  questions: QuestionDraft[];
}

export interface QuizGrade {
  score: number;
  total: number;
  results: { id: string; correct: boolean; given: unknown; expected: string | number; explanation: string }[];
}

/** What a student's submission answers: whether each answer was right, not what was expected. */
export interface StudentQuizGrade {
  score: number;
  total: number;
  results: { id: string; correct: boolean; given: unknown }[];
}

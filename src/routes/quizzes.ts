// Quizzes: generated from (topic, seed), answer keys computed by the engine, grading.
import { gradeQuiz } from '../labs/quiz.js';
import type { Handler } from './parse.js';

interface QuizParams {
  quizId: string;
}

export const quizHandlers: Record<string, Handler> = {
  createQuiz: async (request) => {
    const body = request.body as { topic: unknown; seed?: number };
    return request.server.labService.createQuiz(body.topic, body.seed, request.owner);
  },

  getQuiz: async (request) => (await request.server.labService.quiz((request.params as QuizParams).quizId, request.owner)).view,

  getQuizAnswers: async (request) => {
    const { view, quiz } = await request.server.labService.quiz((request.params as QuizParams).quizId, request.owner);
    return { id: view.id, topic: view.topic, seed: view.seed, answers: quiz.answers };
  },

  submitQuiz: async (request) => {
    const { view, quiz } = await request.server.labService.quiz((request.params as QuizParams).quizId, request.owner);
    return { quizId: view.id, ...gradeQuiz(quiz, (request.body as { answers: Record<string, unknown> }).answers) };
  },
};

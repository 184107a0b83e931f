// Quizzes: generated from (topic, seed), answer keys computed by the engine, grading.
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

  getQuizAnswers: async (request) => request.server.labService.quizAnswers((request.params as QuizParams).quizId, request.owner),

  submitQuiz: async (request) =>
    request.server.labService.submitQuiz(
      (request.params as QuizParams).quizId,
      (request.body as { answers: Record<string, unknown> }).answers,
      request.owner,
    ),
};

// Quizzes: generated from (topic, seed), answer keys computed by the engine, grading.
import type { Handlers } from './handler.js';

export const quizHandlers = {
  createQuiz: async (request) => request.server.labService.createQuiz(request.body.topic, request.body.seed, request.owner),

  getQuiz: async (request) => (await request.server.labService.quiz(request.params.quizId, request.owner)).view,

  getQuizAnswers: async (request) => request.server.labService.quizAnswers(request.params.quizId, request.owner),

  submitQuiz: async (request) => request.server.labService.submitQuiz(request.params.quizId, request.body.answers, request.owner),
} satisfies Partial<Handlers>;

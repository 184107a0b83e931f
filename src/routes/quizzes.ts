// Quizzes: generated from (topic, seed), answer keys computed by the engine (teachers only
// when tokens are on), grading (submissions stored for the teacher's view).
import { requireTeacher } from '../plugins/app/auth.js';
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
    requireTeacher(request, 'a quiz answer key');
    // A teacher reads any student's quiz; otherwise (open server) the usual owner scoping.
    return request.server.labService.quizAnswers((request.params as QuizParams).quizId, request.role === 'teacher' ? undefined : request.owner);
  },

  submitQuiz: async (request) =>
    request.server.labSessions.submitQuiz((request.params as QuizParams).quizId, request.body as { answers: Record<string, unknown>; student?: string }, {
      owner: request.owner,
      role: request.role,
    }),
};

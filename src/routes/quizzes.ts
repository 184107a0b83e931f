// Quizzes: generated from (topic, seed), answer keys computed by the engine (teachers only
// when tokens are on), grading (submissions stored for the teacher's view).
import { requireTeacher } from '../plugins/app/auth.js';
import { ANY_OWNER } from '../service/owner.js';
import type { Handlers } from './handler.js';

export const quizHandlers = {
  createQuiz: async (request) => request.server.labService.createQuiz(request.body.topic, request.body.seed, request.owner),

  getQuiz: async (request) => (await request.server.labService.quiz(request.params.quizId, request.owner)).view,

  getQuizAnswers: async (request) => {
    requireTeacher(request, 'a quiz answer key');
    // A teacher reads any student's quiz; otherwise (open server) the usual owner scoping.
    return request.server.labService.quizAnswers(request.params.quizId, request.role === 'teacher' ? ANY_OWNER : request.owner);
  },

  submitQuiz: async (request) =>
    request.server.labSessions.submitQuiz(request.params.quizId, request.body, { owner: request.owner, role: request.role }),
} satisfies Partial<Handlers>;

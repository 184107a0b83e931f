// Assignments: teachers create them, every student lists them and starts one under their
// own token; a quiz assignment takes submissions (its key and attempt rules applied).
import type { FastifyRequest } from 'fastify';
import { requireTeacher } from '../plugins/app/auth.js';
import type { Caller } from '../service/lab-sessions.js';
import type { Handlers } from './handler.js';

const caller = (request: FastifyRequest): Caller => ({ owner: request.owner, role: request.role });

export const assignmentHandlers = {
  createAssignment: async (request, reply) => {
    requireTeacher(request, 'creating an assignment');
    reply.code(201);
    return request.server.assignments.create(request.body, caller(request));
  },

  listAssignments: async (request) => request.server.assignments.list(),

  getAssignment: async (request) => request.server.assignments.get(request.params.assignmentId, caller(request)),

  startAssignment: async (request, reply) => {
    const { created, body } = await request.server.assignments.start(request.params.assignmentId, request.body ?? {}, caller(request));
    reply.code(created ? 201 : 200);
    return body;
  },

  submitAssignment: async (request) => request.server.assignments.submit(request.params.assignmentId, request.body, caller(request)),
} satisfies Partial<Handlers>;

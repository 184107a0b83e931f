// Labs: the catalogue, sessions (the lab's VMs, set up; once per student), predictions,
// reset, and checks of a session's state. Teachers: everyone's progress.
import { requireTeacher } from '../plugins/app/auth.js';
import type { Caller } from '../service/lab-sessions.js';
import type { FastifyRequest } from 'fastify';
import { studentLab } from '../labs/task-view.js';
import type { Handler } from './parse.js';

interface LabParams {
  labId: string;
}
interface SessionParams extends LabParams {
  sessionId: string;
}
interface TaskParams extends SessionParams {
  n: number;
}

const caller = (request: FastifyRequest): Caller => ({ owner: request.owner, role: request.role });

export const labHandlers: Record<string, Handler> = {
  listLabs: async (request) => ({ labs: request.server.labService.list() }),

  getLab: async (request) => {
    const lab = request.server.labService.lab((request.params as LabParams).labId);
    return request.role === 'student' ? studentLab(lab) : lab;
  },

  createLabSession: async (request, reply) => {
    const body = (request.body ?? {}) as { mode?: 'guided' | 'predict'; student?: string };
    const { created, view } = await request.server.labSessions.start((request.params as LabParams).labId, body, caller(request));
    reply.code(created ? 201 : 200);
    return view;
  },

  getLabSession: async (request) => {
    const { labId, sessionId } = request.params as SessionParams;
    return request.server.labSessions.get(labId, sessionId, caller(request));
  },

  resetLabSession: async (request) => {
    const { labId, sessionId } = request.params as SessionParams;
    return request.server.labSessions.reset(labId, sessionId, caller(request));
  },

  predictLabTask: async (request) => {
    const { labId, sessionId, n } = request.params as TaskParams;
    return request.server.labSessions.predict(labId, sessionId, n, request.body as Record<string, unknown>, caller(request));
  },

  checkLabSession: async (request) => {
    const { labId, sessionId } = request.params as SessionParams;
    return request.server.labSessions.check(labId, sessionId, caller(request));
  },

  getTeacherProgress: async (request) => {
    requireTeacher(request, "students' progress");
    return request.server.labSessions.progress();
  },
};

// Labs: the catalogue, sessions (the lab's VMs, set up; once per student), predictions,
// reset, and checks of a session's state. Teachers: everyone's progress (JSON, or CSV).
import type { FastifyRequest } from 'fastify';
import { progressCsv } from '../labs/progress-csv.js';
import { studentLab } from '../labs/task-view.js';
import { requireTeacher, seesEverything, teacherReads } from '../plugins/app/auth.js';
import type { Caller } from '../service/lab-sessions.js';
import { ANY_OWNER } from '../service/owner.js';
import type { Handlers } from './handler.js';

/** A teacher on a read-only route reads any student's session, as an open server would. */
const caller = (request: FastifyRequest): Caller => ({ owner: teacherReads(request) ? ANY_OWNER : request.owner, role: request.role });

export const labHandlers = {
  listLabs: async (request) => ({ labs: request.server.labService.list() }),

  getLab: async (request) => {
    const lab = request.server.labService.lab(request.params.labId);
    return seesEverything(request) ? lab : studentLab(lab);
  },

  createLabSession: async (request, reply) => {
    const { created, view } = await request.server.labSessions.start(request.params.labId, request.body ?? {}, caller(request));
    reply.code(created ? 201 : 200);
    return view;
  },

  getLabSession: async (request) => request.server.labSessions.get(request.params.labId, request.params.sessionId, caller(request)),

  resetLabSession: async (request) =>
    request.server.labSessions.reset(request.params.labId, request.params.sessionId, request.body ?? {}, caller(request)),

  predictLabTask: async (request) => {
    const { labId, sessionId, n } = request.params;
    return request.server.labSessions.predict(labId, sessionId, n, request.body, caller(request));
  },

  checkLabSession: async (request) => request.server.labSessions.check(request.params.labId, request.params.sessionId, caller(request)),

  getTeacherProgress: async (request) => {
    requireTeacher(request, "students' progress");
    return request.server.labSessions.progress(await request.server.assignments.all());
  },

  deleteTeacherSessions: async (request) => {
    requireTeacher(request, "deleting students' sessions");
    return request.server.labSessions.deleteSessions(request.query ?? {});
  },

  getTeacherProgressCsv: async (request, reply) => {
    requireTeacher(request, "students' progress");
    const { students, assignments } = await request.server.labSessions.progress(await request.server.assignments.all());
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="progress.csv"')
      .send(progressCsv(students, assignments));
  },
} satisfies Partial<Handlers>;

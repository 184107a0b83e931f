// A server with tokens and one student's things in it (a VM with a root, a lab session, a
// quiz), for the tests that try to reach them without a token: every documented operation
// with its path filled in with those real ids, and a snapshot of everything a handler could
// change, to compare before and after.
import { expect } from 'vitest';
import { routeSpecs } from '../../src/contract/openapi-document.js';
import { METRICS_OPERATION, OPEN_OPERATIONS } from '../../src/contract/route-access.js';
import { hashToken } from '../../src/service/token-hash.js';
import { build, type TestApp } from './build.js';
import { SELFTEST_SLOT } from './fixtures.js';
import { openapi } from './openapi.js';

export const STUDENT = 'student-5b8e1f0c3a7d9246';
const TEACHER = 'teacher-2c6a9e4f1b8d7053';

export interface AuthWorld {
  t: TestApp;
  port: number;
  /** The path parameters of every operation, filled with the student's real ids. */
  params: Record<string, string>;
  /** Everything a handler reached without a token could change or reveal. */
  snapshot(): Promise<unknown>;
  close(): Promise<void>;
}

export interface ProtectedOperation {
  operationId: string;
  method: string;
  /** The path with its parameters filled in. */
  path: string;
  /** A body the operation would accept (or at least parse). */
  body: string;
}

export async function buildAuthWorld(options: Parameters<typeof build>[0] = {}): Promise<AuthWorld> {
  const t = await build({ apiTokenHashes: [hashToken(STUDENT)], teacherTokenHashes: [hashToken(TEACHER)], ...options });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (t.app.server.address() as { port: number }).port;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const ok = <T extends { status: number; text: string }>(res: T, status = 200): T => {
    expect(res.status, res.text).toBe(status);
    return res;
  };
  const vm = ok(await t.api.post('/v1/vms').set(as(STUDENT)).send({ name: 'student-vm' }), 201).body.id as string;
  ok(await t.api.put(`/v1/vms/${vm}/memslots/0/10`).set(as(STUDENT)).send(SELFTEST_SLOT));
  ok(await t.api.post(`/v1/vms/${vm}/vcpus`).set(as(STUDENT)).send({ id: 0 }), 201);
  ok(await t.api.post(`/v1/vms/${vm}/vcpus/0/pre-fault`).set(as(STUDENT)).send({ gpa: '0x3fffffc00000', size: '0x1000' }));
  const rootId = ok(await t.api.get(`/v1/vms/${vm}/roots`).set(as(STUDENT))).body.roots[0].id as string;
  const labId = 'smm-address-space';
  const session = ok(await t.api.post(`/v1/labs/${labId}/sessions`).set(as(STUDENT)).send({}), 201).body.sessionId as string;
  const quiz = ok(await t.api.post('/v1/quizzes').set(as(STUDENT)).send({ topic: 'errno', seed: 7 }), 201).body.id as string;
  const assignment = ok(await t.api.post('/v1/assignments').set(as(TEACHER)).send({ kind: 'quiz', topic: 'errno', seed: 7 }), 201).body.id as string;
  const params = {
    vmId: vm,
    addressSpace: '0',
    slot: '10',
    vcpuId: '0',
    rootId,
    seq: '1',
    labId,
    sessionId: session,
    n: '1',
    quizId: quiz,
    assignmentId: assignment,
  };

  const snapshot = async () => {
    const get = async (path: string, token = STUDENT) => ok(await t.api.get(path).set(as(token))).body as unknown;
    return {
      vms: t.app.liveVms.count,
      list: await get('/v1/vms'),
      log: await get(`/v1/vms/${vm}/operations?limit=1000`),
      vcpus: await get(`/v1/vms/${vm}/vcpus`),
      memslots: await get(`/v1/vms/${vm}/memslots`),
      attributes: await get(`/v1/vms/${vm}/memory-attributes`),
      session: await get(`/v1/labs/${labId}/sessions/${session}`),
      progress: await get('/v1/teacher/progress', TEACHER),
      assignments: await get('/v1/assignments'),
    };
  };
  return { t, port, params, snapshot, close: () => t.close() };
}

/** A body each operation takes, so a call that got past the token check would do something. */
const BODIES: Record<string, unknown> = {
  createVm: { name: 'intruder' },
  putMemslot: { guestPhysAddr: '0x0', size: '0x1000' },
  setMemoryAttributes: { gpa: '0x0', size: '0x1000', private: true },
  createVcpu: { id: 1 },
  patchVcpu: { mode: 'smm' },
  preFault: { gpa: '0x3fffffc00000', size: '0x201000' },
  guestAccess: { gpa: '0x3fffffc00000', access: 'write' },
  createLabSession: {},
  predictLabTask: {},
  createQuiz: { topic: 'errno' },
  submitQuiz: { answers: {} },
  createAssignment: { kind: 'lab', labId: 'huge-pages' },
  submitAssignment: { answers: {} },
};

/** Every documented operation that needs a token (all but the open list and /metrics), filled in. */
export function protectedOperations(params: Record<string, string>): ProtectedOperation[] {
  return routeSpecs(openapi.document)
    .filter((s) => !OPEN_OPERATIONS.has(s.operationId) && s.operationId !== METRICS_OPERATION)
    .map((s) => ({
      operationId: s.operationId,
      method: s.method,
      path: s.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = params[name];
        if (value === undefined) throw new Error(`no value for path parameter ${name} of ${s.operationId}`);
        return value;
      }),
      body: s.method === 'GET' || s.method === 'DELETE' ? '' : JSON.stringify(BODIES[s.operationId] ?? {}),
    }));
}

// What a course relies on, over HTTP: a quiz submission tells a student right or wrong but
// never the key (a teacher token still reads it), every attempt is kept and summarised for
// the teacher; an open server has no shared anonymous student (a name or a client id says
// who calls); and a Start for the other mode of an existing session is a 409, with Reset
// as the way to start over in that mode.
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../src/service/token-hash.js';
import { build, useTestApp } from '../helpers/build.js';
import { expectDocumented } from '../helpers/openapi.js';

const t = useTestApp();

type QuizRow = { quizId: string; of: number; count: number; first: { score: number }; best: { score: number }; last: { score: number } };
type StudentRow = { student: string; sessions: { labId: string; sessionId: string }[]; quizzes: QuizRow[] };

describe('quiz submissions', () => {
  it('tell a student which answers were right, never the key; a teacher token gets the key; every attempt counts for the teacher', async () => {
    const app = await build({ apiTokenHashes: [hashToken('student-token')], teacherTokenHashes: [hashToken('teacher-token')] });
    try {
      const student = { authorization: 'Bearer student-token' };
      const teacher = { authorization: 'Bearer teacher-token' };
      const quiz = await app.api.post('/v1/quizzes').set(student).send({ topic: 'errno', seed: 7 });
      expect(quiz.status).toBe(201);
      const submit = (answers: object) => app.api.post(`/v1/quizzes/${quiz.body.id}/submissions`).set(student).send({ answers });

      const empty = await submit({});
      expect(empty.status, empty.text).toBe(200);
      expectDocumented(empty, 'submitQuiz');
      expect(empty.body.score).toBe(0);
      for (const r of empty.body.results) {
        expect(r).toEqual({ id: r.id, correct: false, given: null });
        expect(r).not.toHaveProperty('expected');
        expect(r).not.toHaveProperty('explanation');
      }

      // The teacher reads the key, and gets it back with a submission of their own (to their own quiz: quizzes belong to a token).
      const key = (await app.api.get(`/v1/quizzes/${quiz.body.id}/answers`).set(teacher)).body.answers as { id: string; value: unknown }[];
      const right = Object.fromEntries(key.map((a) => [a.id, a.value]));
      const own = await app.api.post('/v1/quizzes').set(teacher).send({ topic: 'errno', seed: 7 });
      const byTeacher = await app.api.post(`/v1/quizzes/${own.body.id}/submissions`).set(teacher).send({ answers: right });
      expectDocumented(byTeacher, 'submitQuiz');
      expect(byTeacher.body.results[0]).toMatchObject({ correct: true, expected: key[0]!.value, explanation: expect.any(String) });

      const half = Object.fromEntries(key.map((a, i) => [a.id, i % 2 === 0 ? a.value : 'wrong']));
      const second = await submit(half);
      expect(second.body.score).toBe(Math.ceil(key.length / 2));
      expect(second.body.results.map((r: { correct: boolean }) => r.correct)).toEqual(key.map((_, i) => i % 2 === 0));
      await submit({ [key[0]!.id]: key[0]!.value });

      const progress = await app.api.get('/v1/teacher/progress').set(teacher);
      expect(progress.status).toBe(200);
      expectDocumented(progress, 'getTeacherProgress');
      const students = progress.body.students as StudentRow[];
      const row = students.find((x) => x.student === `token:${hashToken('student-token').slice(0, 8)}`)!;
      expect(row.quizzes).toEqual([
        {
          quizId: quiz.body.id,
          topic: 'errno',
          of: key.length,
          count: 3,
          first: { score: 0, submittedAt: expect.any(String) },
          best: { score: Math.ceil(key.length / 2), submittedAt: expect.any(String) },
          last: { score: 1, submittedAt: expect.any(String) },
        },
      ]);
      const r = row.quizzes[0]! as unknown as Record<string, { submittedAt: string }>;
      expect(Date.parse(r.first!.submittedAt)).toBeLessThanOrEqual(Date.parse(r.best!.submittedAt));
      expect(Date.parse(r.best!.submittedAt)).toBeLessThanOrEqual(Date.parse(r.last!.submittedAt));
    } finally {
      await app.close();
    }
  });
});

describe('an open server has no shared anonymous student', () => {
  const lab = 'six-roots';
  const startAs = (body: object) => t.api.post(`/v1/labs/${lab}/sessions`).send(body);

  it('a Start that says nothing about who calls is a 400 saying how to', async () => {
    const res = await startAs({});
    expect(res.status).toBe(400);
    expectDocumented(res, 'createLabSession');
    expect(res.body).toMatchObject({ field: 'student', detail: expect.stringMatching(/"client"/) });
    const quiz = await t.api.post('/v1/quizzes').send({ topic: 'roots', seed: 5 });
    const sub = await t.api.post(`/v1/quizzes/${quiz.body.id}/submissions`).send({ answers: {} });
    expect(sub.status).toBe(400);
    expectDocumented(sub, 'submitQuiz');
  });

  it('one session per client id, one per name; the teacher tells them apart', async () => {
    const a = await startAs({ client: 'browser-aaaa-1111' });
    expect(a.status, a.text).toBe(201);
    expectDocumented(a, 'createLabSession');
    const b = await startAs({ client: 'browser-bbbb-2222' });
    expect(b.status).toBe(201);
    expect(b.body.sessionId).not.toBe(a.body.sessionId);
    expect(b.body.vms[0].id).not.toBe(a.body.vms[0].id);
    const aAgain = await startAs({ client: 'browser-aaaa-1111' });
    expect(aAgain.status).toBe(200);
    expect(aAgain.body.sessionId).toBe(a.body.sessionId);
    // A name is the student, whichever browser types it.
    const named = await startAs({ student: 'hopper', client: 'browser-aaaa-1111' });
    expect(named.status).toBe(201);
    expect((await startAs({ student: 'hopper', client: 'browser-cccc-3333' })).body.sessionId).toBe(named.body.sessionId);

    const malformed = await startAs({ client: 'a b' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.field).toBe('client');

    const students = (await t.api.get('/v1/teacher/progress')).body.students as StudentRow[];
    const of = (sessionId: string) => students.filter((x) => x.sessions.some((s) => s.sessionId === sessionId)).map((x) => x.student);
    expect(of(a.body.sessionId)).toEqual(['client:browser-']);
    expect(of(b.body.sessionId)).toEqual(['client:browser-']);
    expect(students.filter((x) => x.student === 'client:browser-').length).toBe(2);
    expect(of(named.body.sessionId)).toEqual(['hopper']);
  });
});

describe('mode of an existing session', () => {
  it('asking for the other mode is a 409 that says so; a Start without mode opens it; Reset starts over in the other mode', async () => {
    const who = { student: 'lovelace' };
    const first = await t.api.post('/v1/labs/huge-pages/sessions').send({ ...who, mode: 'predict' });
    expect(first.status).toBe(201);
    const other = await t.api.post('/v1/labs/huge-pages/sessions').send({ ...who, mode: 'guided' });
    expect(other.status).toBe(409);
    expectDocumented(other, 'createLabSession');
    expect(other.body).toMatchObject({ type: 'urn:prefault-lab:problem:conflict' });
    expect(other.body.detail).toMatch(/already have a predict-mode session/);
    expect(other.body.detail).toContain(`/v1/labs/huge-pages/sessions/${first.body.sessionId}/reset`);

    const same = await t.api.post('/v1/labs/huge-pages/sessions').send({ ...who, mode: 'predict' });
    expect(same.status).toBe(200);
    const unsaid = await t.api.post('/v1/labs/huge-pages/sessions').send(who);
    expect(unsaid.status).toBe(200);
    expect(unsaid.body).toMatchObject({ sessionId: first.body.sessionId, mode: 'predict' });

    const reset = await t.api.post(`/v1/labs/huge-pages/sessions/${first.body.sessionId}/reset`).send({ mode: 'guided' });
    expect(reset.status, reset.text).toBe(200);
    expectDocumented(reset, 'resetLabSession');
    expect(reset.body).toMatchObject({ sessionId: first.body.sessionId, mode: 'guided' });
    expect(reset.body.tasks[0]).toMatchObject({ hidden: false, calls: expect.any(Array), explain: expect.any(String) });
    expect(reset.body.vms[0].id).not.toBe(first.body.vms[0].id);
    const guided = await t.api.post('/v1/labs/huge-pages/sessions').send({ ...who, mode: 'guided' });
    expect(guided.status).toBe(200);
    expect(guided.body.mode).toBe('guided');
    // A reset without a mode keeps the session's own.
    expect((await t.api.post(`/v1/labs/huge-pages/sessions/${first.body.sessionId}/reset`).send()).body.mode).toBe('guided');
  });
});

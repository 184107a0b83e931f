// Assignments over HTTP: a teacher hands out a lab (in a mode) or a quiz (with its key and
// attempt rules); every student lists them and starts one under their own token; the
// teacher's progress, JSON and CSV, has one grade per student and assignment.
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../src/service/token-hash.js';
import { build } from '../helpers/build.js';
import { expectDocumented } from '../helpers/openapi.js';

const ada = { authorization: 'Bearer ada-token' };
const bob = { authorization: 'Bearer bob-token' };
const teacher = { authorization: 'Bearer teacher-token' };

const classApp = () =>
  build({
    apiTokenHashes: [hashToken('ada-token'), hashToken('bob-token')],
    teacherTokenHashes: [hashToken('teacher-token')],
    tokenNames: new Map([[hashToken('ada-token'), 'Ada Lovelace']]),
  });

type Row = { student: string; started: boolean; score: number; outOf: number; attempts?: number; counted?: number; late?: number; mode?: string };

describe('assignments', () => {
  it('a teacher creates them, students list and start them under their own token, and grades come per student and assignment', async () => {
    const t = await classApp();
    try {
      const refused = await t.api.post('/v1/assignments').set(ada).send({ kind: 'lab', labId: 'huge-pages' });
      expect(refused.status).toBe(403);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expectDocumented(refused, 'createAssignment');

      const lab = await t.api.post('/v1/assignments').set(teacher).send({ kind: 'lab', labId: 'huge-pages', mode: 'predict' });
      expect(lab.status, lab.text).toBe(201);
      expectDocumented(lab, 'createAssignment');
      expect(lab.body).toMatchObject({ kind: 'lab', labId: 'huge-pages', mode: 'predict', deadline: null });
      const quiz = await t.api.post('/v1/assignments').set(teacher).send({ kind: 'quiz', topic: 'errno', seed: 7, reveal: 'after-first-submission' });
      expect(quiz.status, quiz.text).toBe(201);
      expect(quiz.body).toMatchObject({ kind: 'quiz', topic: 'errno', seed: 7, reveal: 'after-first-submission', attemptsCounted: 1 });

      const list = await t.api.get('/v1/assignments').set(bob);
      expect(list.status).toBe(200);
      expectDocumented(list, 'listAssignments');
      expect(list.body.assignments.map((a: { id: string }) => a.id)).toEqual([lab.body.id, quiz.body.id]);

      // The lab starts in the assignment's mode, once per student.
      const started = await t.api.post(`/v1/assignments/${lab.body.id}/start`).set(ada).send({});
      expect(started.status, started.text).toBe(201);
      expectDocumented(started, 'startAssignment');
      expect(started.body.session).toMatchObject({ labId: 'huge-pages', mode: 'predict' });
      const again = await t.api.post(`/v1/assignments/${lab.body.id}/start`).set(ada).send({});
      expect(again.status).toBe(200);
      expect(again.body.session.sessionId).toBe(started.body.session.sessionId);

      // The quiz: no key before the first submission, the key with it; only the first attempt counts.
      const q = await t.api.post(`/v1/assignments/${quiz.body.id}/start`).set(ada); // no body, as the curl in docs/class.md
      expect(q.status).toBe(200);
      expect(q.body.quiz.id).toBe(quiz.body.quizId);
      expect(q.body.quiz).not.toHaveProperty('answers');
      expect((await t.api.get(`/v1/assignments/${quiz.body.id}`).set(ada)).body).not.toHaveProperty('answers');
      const first = await t.api.post(`/v1/assignments/${quiz.body.id}/submissions`).set(ada).send({ answers: {} });
      expect(first.status, first.text).toBe(200);
      expectDocumented(first, 'submitAssignment');
      expect(first.body).toMatchObject({ attempt: 1, counted: true, keyRevealed: true, grade: { score: 0 } });
      const key = first.body.grade.results as { id: string; expected: unknown }[];
      expect(key.every((r) => r.expected !== undefined)).toBe(true);
      const right = Object.fromEntries(key.map((r) => [r.id, r.expected]));
      const second = await t.api.post(`/v1/assignments/${quiz.body.id}/submissions`).set(ada).send({ answers: right });
      expect(second.body).toMatchObject({ attempt: 2, counted: false, grade: { score: key.length } });
      const got = await t.api.get(`/v1/assignments/${quiz.body.id}`).set(ada);
      expectDocumented(got, 'getAssignment');
      expect(got.body.answers).toHaveLength(key.length);
      expect((await t.api.get(`/v1/assignments/${quiz.body.id}`).set(bob)).body).not.toHaveProperty('answers');
      // The assignment's quiz is reached through the assignment only: its own routes stay the teacher's.
      expect((await t.api.post(`/v1/quizzes/${quiz.body.quizId}/submissions`).set(bob).send({ answers: right })).status).toBe(404);

      const progress = await t.api.get('/v1/teacher/progress').set(teacher);
      expect(progress.status).toBe(200);
      expectDocumented(progress, 'getTeacherProgress');
      const tasks = (await t.api.get('/v1/labs/huge-pages').set(teacher)).body.tasks.length as number;
      const [labRows, quizRows] = progress.body.assignments.map((a: { students: Row[] }) => a.students) as Row[][];
      expect(labRows).toEqual([
        expect.objectContaining({ student: 'Ada Lovelace', started: true, score: 0, outOf: tasks, mode: 'predict' }),
        { student: `token:${hashToken('bob-token').slice(0, 8)}`, started: false, score: 0, outOf: tasks },
      ]);
      expect(quizRows![0]).toMatchObject({ student: 'Ada Lovelace', started: true, score: 0, attempts: 2, counted: 1, late: 0 });
      expect(quizRows![1]).toMatchObject({ started: false, score: 0 });

      const csv = await t.api.get('/v1/teacher/progress.csv').set(teacher);
      expect(csv.status).toBe(200);
      const lines = csv.text.split('\r\n').filter(Boolean);
      const header = lines[0]!.split(',');
      expect(header).toEqual(expect.arrayContaining(['assignment', 'assignment_id', 'deadline', 'counted', 'late']));
      // Two students x two assignments; Ada's session and quiz attempts are those assignments', not extra rows.
      expect(lines).toHaveLength(1 + 4);
      const cell = (line: string, column: string) => line.split(',')[header.indexOf(column)];
      expect(lines.slice(1).map((l) => [cell(l, 'student'), cell(l, 'assignment_id'), cell(l, 'score')])).toEqual([
        ['Ada Lovelace', lab.body.id, '0'],
        [`token:${hashToken('bob-token').slice(0, 8)}`, lab.body.id, '0'],
        ['Ada Lovelace', quiz.body.id, '0'],
        [`token:${hashToken('bob-token').slice(0, 8)}`, quiz.body.id, '0'],
      ]);
    } finally {
      await t.close();
    }
  });

  it('a deadline: the key after it, and attempts after it kept but not counted', async () => {
    const t = await classApp();
    try {
      const quiz = await t.api
        .post('/v1/assignments')
        .set(teacher)
        .send({ kind: 'quiz', topic: 'roots', seed: 3, deadline: '2020-01-01', reveal: 'after-deadline' });
      expect(quiz.status, quiz.text).toBe(201);
      expect(quiz.body.deadline).toBe('2020-01-01T00:00:00.000Z');
      expect((await t.api.get(`/v1/assignments/${quiz.body.id}`).set(bob)).body.answers).toBeDefined();
      const late = await t.api.post(`/v1/assignments/${quiz.body.id}/submissions`).set(bob).send({ answers: {} });
      expect(late.body).toMatchObject({ attempt: 1, counted: false, keyRevealed: true });
      const rows = (await t.api.get('/v1/teacher/progress').set(teacher)).body.assignments[0].students as Row[];
      expect(rows[1]).toMatchObject({ started: true, attempts: 1, counted: 0, late: 1, score: 0 });
    } finally {
      await t.close();
    }
  });

  it('refuses what cannot be graded: 400 naming the field, 404 for no such assignment, 409 for a lab submission or the other mode', async () => {
    const t = await classApp();
    try {
      const bad = async (body: object, field: string) => {
        const res = await t.api.post('/v1/assignments').set(teacher).send(body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expectDocumented(res, 'createAssignment');
        expect(res.body.field).toBe(field);
      };
      await bad({ kind: 'lab' }, 'labId');
      await bad({ kind: 'lab', labId: 'no-such-lab' }, 'labId');
      await bad({ kind: 'lab', labId: 'huge-pages', topic: 'errno' }, 'topic');
      await bad({ kind: 'quiz' }, 'topic');
      await bad({ kind: 'quiz', topic: 'errno', mode: 'predict' }, 'mode');
      await bad({ kind: 'quiz', topic: 'errno', reveal: 'after-deadline' }, 'deadline');
      await bad({ kind: 'quiz', topic: 'errno', reveal: 'after-first-submission', attemptsCounted: 3 }, 'attemptsCounted');
      await bad({ kind: 'quiz', topic: 'errno', deadline: '2026-02-31' }, 'deadline');

      const missing = await t.api.post('/v1/assignments/nope/start').set(ada).send({});
      expect(missing.status).toBe(404);
      expectDocumented(missing, 'startAssignment');
      expect((await t.api.get('/v1/assignments/nope').set(ada)).status).toBe(404);

      const lab = await t.api.post('/v1/assignments').set(teacher).send({ kind: 'lab', labId: 'huge-pages', mode: 'predict' });
      const submission = await t.api.post(`/v1/assignments/${lab.body.id}/submissions`).set(ada).send({ answers: {} });
      expect(submission.status).toBe(409);
      expectDocumented(submission, 'submitAssignment');

      // Ada already works on the lab in guided mode: the predict assignment says so rather than switching silently.
      expect((await t.api.post('/v1/labs/huge-pages/sessions').set(ada).send({ mode: 'guided' })).status).toBe(201);
      const other = await t.api.post(`/v1/assignments/${lab.body.id}/start`).set(ada).send({});
      expect(other.status).toBe(409);
      expectDocumented(other, 'startAssignment');
      expect(other.body.detail).toMatch(/reset/);
    } finally {
      await t.close();
    }
  });
});

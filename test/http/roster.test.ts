// A class from a roster: the names a token file gives its tokens are what the teacher sees in
// the progress view.
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../src/service/token-hash.js';
import { useTestApp } from '../helpers/build.js';
import { expectDocumented } from '../helpers/openapi.js';

const ALICE = 'alice-token';
const BOB = 'bob-token';
const TEACHER = 'teacher-token';
const t = useTestApp({
  apiTokenHashes: [hashToken(ALICE), hashToken(BOB)],
  teacherTokenHashes: [hashToken(TEACHER)],
  tokenNames: new Map([[hashToken(ALICE), 'Lovelace, "Ada"']]),
});
const as = (token: string) => ({ authorization: `Bearer ${token}` });

type Progress = { students: { student: string; sessions: { labId: string }[]; quizzes: { topic: string }[] }[] };

async function progress(): Promise<Progress> {
  const res = await t.api.get('/v1/teacher/progress').set(as(TEACHER));
  expect(res.status, res.text).toBe(200);
  expectDocumented(res, 'getTeacherProgress');
  return res.body;
}

describe('roster names', () => {
  it("shows a token's roster name for its sessions and quizzes, whatever name was given at Start; an unnamed token keeps its label", async () => {
    expect((await t.api.post('/v1/labs/huge-pages/sessions').set(as(ALICE)).send({ student: 'ada' })).status).toBe(201);
    const quiz = await t.api.post('/v1/quizzes').set(as(ALICE)).send({ topic: 'roots', seed: 3 });
    expect(quiz.status).toBe(201);
    expect((await t.api.post(`/v1/quizzes/${quiz.body.id}/submissions`).set(as(ALICE)).send({ answers: {} })).status).toBe(200);
    expect((await t.api.post('/v1/labs/huge-pages/sessions').set(as(BOB)).send({})).status).toBe(201);

    const students = (await progress()).students;
    const alice = students.filter((s) => s.student === 'Lovelace, "Ada"');
    expect(alice).toHaveLength(1);
    expect(alice[0]!.sessions.map((s) => s.labId)).toEqual(['huge-pages']);
    expect(alice[0]!.quizzes.map((q) => q.topic)).toEqual(['roots']);
    expect(students.map((s) => s.student)).toContain(`token:${hashToken(BOB).slice(0, 8)}`);
    expect(students.map((s) => s.student)).not.toContain('ada');
  });
});

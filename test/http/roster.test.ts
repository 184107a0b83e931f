// A class from a roster: the names a token file gives its tokens are what the teacher sees in
// the progress view and its CSV download.
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../src/service/token-hash.js';
import { useTestApp } from '../helpers/build.js';
import { expectDocumented } from '../helpers/openapi.js';

const ALICE = 'alice-token';
const BOB = 'bob-token';
const CAROL = 'carol-token';
const TEACHER = 'teacher-token';
const t = useTestApp({
  apiTokenHashes: [hashToken(ALICE), hashToken(BOB), hashToken(CAROL)],
  teacherTokenHashes: [hashToken(TEACHER)],
  tokenNames: new Map([
    [hashToken(ALICE), 'Lovelace, "Ada"'],
    [hashToken(CAROL), '=HYPERLINK("http://x")'],
  ]),
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

/** RFC 4180 records (quoted fields may hold commas, doubled quotes and line breaks); every record must end in CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let value = '';
    if (text[i] === '"') {
      for (i++; !(text[i] === '"' && text[i + 1] !== '"'); i++) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') i++;
        value += text[i];
      }
      i++;
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') value += text[i++];
    }
    record.push(value);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else throw new Error(`expected , or CRLF at ${i}: ${JSON.stringify(text.slice(i, i + 10))}`);
  }
  expect(record).toEqual([]);
  return records;
}

describe('GET /v1/teacher/progress.csv', () => {
  it('is for teachers only, like the JSON view', async () => {
    const student = await t.api.get('/v1/teacher/progress.csv').set(as(BOB));
    expect(student.status).toBe(403);
    expectDocumented(student, 'getTeacherProgressCsv');
    const none = await t.api.get('/v1/teacher/progress.csv');
    expect(none.status).toBe(401);
    expectDocumented(none, 'getTeacherProgressCsv');
  });

  it("has a header row and one row per student and lab session or quiz, quoted as RFC 4180 says, with the progress view's figures", async () => {
    expect((await t.api.post('/v1/labs/huge-pages/sessions').set(as(CAROL)).send({})).status).toBe(201);
    const quiz = await t.api.post('/v1/quizzes').set(as(CAROL)).send({ topic: 'errno', seed: 7 });
    for (let i = 0; i < 2; i++)
      expect((await t.api.post(`/v1/quizzes/${quiz.body.id}/submissions`).set(as(CAROL)).send({ answers: {} })).status).toBe(200);
    const json = await progress();

    const res = await t.api.get('/v1/teacher/progress.csv').set(as(TEACHER));
    expect(res.status, res.text).toBe(200);
    expectDocumented(res, 'getTeacherProgressCsv');
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="progress\.csv"$/);
    expect(res.text).toContain('"Lovelace, ""Ada"""');
    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual([
      'student',
      'kind',
      'item',
      'id',
      'mode',
      'started_at',
      'score',
      'out_of',
      'predicted',
      'predicted_right',
      'attempts',
      'first_score',
      'last_score',
      'last_at',
      'assignment',
      'assignment_id',
      'deadline',
      'counted',
      'late',
    ]);
    const records = rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])));
    expect(rows.every((r) => r.length === header!.length)).toBe(true);
    // As many rows as the JSON view has sessions and quizzes.
    expect(records).toHaveLength(json.students.reduce((n, s) => n + s.sessions.length + s.quizzes.length, 0));

    const alice = records.filter((r) => r.student === 'Lovelace, "Ada"');
    expect(alice.map((r) => `${r.kind} ${r.item}`).sort()).toEqual(['lab huge-pages', 'quiz roots']);
    const carol = records.filter((r) => r.student === `'=HYPERLINK("http://x")`);
    const lab = carol.find((r) => r.kind === 'lab')!;
    const session = (await t.api.post('/v1/labs/huge-pages/sessions').set(as(CAROL)).send({})).body;
    expect(lab).toMatchObject({ item: 'huge-pages', id: session.sessionId, mode: 'guided', started_at: session.createdAt, score: '0', attempts: '' });
    expect(Number(lab.out_of)).toBe(session.tasks.length);
    const q = carol.find((r) => r.kind === 'quiz')!;
    const summary = json.students.find((s) => s.student === '=HYPERLINK("http://x")')!.quizzes[0] as unknown as {
      of: number;
      first: { submittedAt: string };
      last: { submittedAt: string };
    };
    expect(q).toMatchObject({ item: 'errno', id: quiz.body.id, mode: '', score: '0', attempts: '2', first_score: '0', last_score: '0' });
    expect(q).toMatchObject({ out_of: String(summary.of), started_at: summary.first.submittedAt, last_at: summary.last.submittedAt });
  });
});

describe('DELETE /v1/teacher/sessions', () => {
  const del = (query: string, token = TEACHER) => t.api.delete(`/v1/teacher/sessions${query}`).set(as(token));
  type Deleted = { deleted: { sessionId: string; labId: string; student: string; vms: number }[] };

  it('is for teachers only, and needs a filter', async () => {
    for (const [res, status] of [
      [await del('?student=x', BOB), 403],
      [await t.api.delete('/v1/teacher/sessions?student=x'), 401],
      [await del(''), 400],
      [await del('?before=yesterday'), 400],
      [await del('?before=2026-02-31'), 400],
      [await del('?before=2026-13-01'), 400],
    ] as const) {
      expect(res.status, res.text).toBe(status);
      expectDocumented(res, 'deleteTeacherSessions');
    }
  });

  it("deletes a student's sessions by roster name or label, with their VMs; the student's next Start is a fresh session", async () => {
    const first = (await t.api.post('/v1/labs/huge-pages/sessions').set(as(ALICE)).send({})).body;
    const other = await t.api.post('/v1/labs/three-designs/sessions').set(as(ALICE)).send({});
    expect(other.status).toBe(201);
    const bobs = (await t.api.post('/v1/labs/huge-pages/sessions').set(as(BOB)).send({})).body;

    const res = await del(`?student=${encodeURIComponent('Lovelace, "Ada"')}`);
    expect(res.status, res.text).toBe(200);
    expectDocumented(res, 'deleteTeacherSessions');
    const { deleted } = res.body as Deleted;
    expect(deleted.map((d) => d.sessionId).sort()).toEqual([first.sessionId, other.body.sessionId].sort());
    expect(deleted.every((d) => d.student === 'Lovelace, "Ada"')).toBe(true);
    expect(deleted.find((d) => d.labId === 'three-designs')!.vms).toBe(3);
    for (const vm of [...first.vms, ...other.body.vms]) expect((await t.api.get(`/v1/vms/${vm.vmId}`).set(as(ALICE))).status).toBe(404);
    expect((await t.api.get(`/v1/vms/${bobs.vms[0].vmId}`).set(as(BOB))).status).toBe(200);
    const students = (await progress()).students;
    expect(students.find((s) => s.student === 'Lovelace, "Ada"')?.sessions ?? []).toEqual([]);

    const again = await t.api.post('/v1/labs/huge-pages/sessions').set(as(ALICE)).send({});
    expect(again.status).toBe(201);
    expect(again.body.sessionId).not.toBe(first.sessionId);

    // The label an unnamed token's student is listed under; nothing left to match: an empty list.
    const bob = `token:${hashToken(BOB).slice(0, 8)}`;
    expect((await del(`?student=${bob}`)).body.deleted.map((d: { sessionId: string }) => d.sessionId)).toEqual([bobs.sessionId]);
    expect((await del(`?student=${bob}`)).body).toEqual({ deleted: [] });
  });

  it('deletes the sessions started before a date, and only those (with student: both filters)', async () => {
    const s = (await t.api.post('/v1/labs/huge-pages/sessions').set(as(BOB)).send({})).body;
    expect((await del('?before=2020-01-01')).body).toEqual({ deleted: [] });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const carol = (await del(`?before=${tomorrow}&student=${encodeURIComponent('=HYPERLINK("http://x")')}`)).body as Deleted;
    expect(carol.deleted.map((d) => d.labId)).toEqual(['huge-pages']);
    expect(carol.deleted[0]!.student).toBe('=HYPERLINK("http://x")');
    // Strictly before: the session started at that very time stays, the older ones go.
    const older = (await del(`?before=${s.createdAt}`)).body as Deleted;
    expect(older.deleted.length).toBeGreaterThan(0);
    expect(older.deleted.map((d) => d.sessionId)).not.toContain(s.sessionId);
    const rest = (await del(`?before=${encodeURIComponent(new Date(Date.now() + 1000).toISOString().replace('Z', '+00:00'))}`)).body as Deleted;
    expect(rest.deleted.map((d) => d.sessionId)).toEqual([s.sessionId]);
    expect((await progress()).students.flatMap((x) => x.sessions)).toEqual([]);
  });
});

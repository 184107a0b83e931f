// Issue #11 over HTTP: Start once per student, predict then run (one locked prediction,
// the rule shown once its calls ran), a passed task stays passed, Reset, teacher tokens (answer keys hidden from students,
// progress listed), stored quiz submissions, and the trace endpoint's paths.
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../src/labs/catalogue.js';
import { resolvePath } from '../../src/labs/calls.js';
import { hashToken } from '../../src/service/token-hash.js';
import { build, useTestApp, type TestApp } from '../helpers/build.js';
import { createSelftestVm } from '../helpers/fixtures.js';
import { expectDocumented } from '../helpers/openapi.js';

const t = useTestApp();

type SessionView = {
  sessionId: string;
  mode: string;
  student: string;
  vms: { name: string; id: string; role: string; vmId: string }[];
  tasks: {
    n: number;
    passed: boolean;
    hidden: boolean;
    calls?: unknown[];
    explain?: string;
    prompt?: string;
    predictedAt?: string;
    predictions?: Record<string, { given: unknown; actual?: unknown; correct?: boolean }>;
  }[];
};

async function start(app: TestApp, labId: string, body: object, status: 200 | 201, headers: Record<string, string> = {}): Promise<SessionView> {
  const res = await app.api.post(`/v1/labs/${labId}/sessions`).set(headers).send(body);
  expect(res.status, res.text).toBe(status);
  expectDocumented(res, 'createLabSession');
  return res.body;
}

/** Runs task n's call number `call` (1-based) of a lab on the session's VMs. */
async function runCall(app: TestApp, labId: string, s: SessionView, n: number, call: number, headers: Record<string, string> = {}) {
  const lab = loadCatalogue().find((l) => l.id === labId)!;
  const c = lab.tasks[n - 1]!.calls[call - 1]!;
  const ids = Object.fromEntries(s.vms.map((v) => [v.role, v.vmId]));
  const res = await app.api[c.method.toLowerCase() as 'post'](resolvePath(c.path, ids))
    .set(headers)
    .send(c.body ?? {});
  expect(res.status, res.text).toBeLessThan(300);
  return res.body;
}

async function check(app: TestApp, labId: string, sessionId: string, headers: Record<string, string> = {}) {
  const res = await app.api.get(`/v1/labs/${labId}/sessions/${sessionId}/check`).set(headers);
  expect(res.status, res.text).toBe(200);
  expectDocumented(res, 'checkLabSession');
  return res.body as {
    passed: boolean;
    tasks: {
      n: number;
      passed: boolean;
      withheld?: boolean;
      predictions?: Record<string, { given: unknown; actual?: unknown; correct?: boolean }>;
      checks: { passed: boolean; hint?: string; detail: string }[];
    }[];
  };
}

async function predict(app: TestApp, labId: string, sessionId: string, n: number, body: object, headers: Record<string, string> = {}) {
  const res = await app.api.post(`/v1/labs/${labId}/sessions/${sessionId}/tasks/${n}/prediction`).set(headers).send(body);
  expectDocumented(res, 'predictLabTask');
  return res;
}

describe('lab sessions per student', () => {
  it('Start is idempotent per student: the same session and no new VMs; another student gets their own', async () => {
    const first = await start(t, 'three-designs', { student: 'grace' }, 201);
    expect(first.vms.map((v) => v.role)).toEqual(['upstream', 'switch-root-mmu', 'reject-smm-guest-mode']);
    expect(first.vms.every((v) => v.vmId === v.id && v.role === v.name)).toBe(true);
    const vmsBefore = (await t.api.get('/v1/vms?limit=1000')).body.vms.length;
    const again = await start(t, 'three-designs', { student: 'grace' }, 200);
    expect(again.sessionId).toBe(first.sessionId);
    expect(again.vms).toEqual(first.vms);
    expect((await t.api.get('/v1/vms?limit=1000')).body.vms.length).toBe(vmsBefore);
    const other = await start(t, 'three-designs', { student: 'linus' }, 201);
    expect(other.sessionId).not.toBe(first.sessionId);
    const get = await t.api.get(`/v1/labs/three-designs/sessions/${first.sessionId}`);
    expect(get.status).toBe(200);
    expectDocumented(get, 'getLabSession');
    expect(get.body.sessionId).toBe(first.sessionId);
  });

  it('predict mode: calls hidden until predicted, the rule and hints until the predicted calls ran; the first prediction is locked', async () => {
    const s = await start(t, 'three-designs', { mode: 'predict', student: 'ada' }, 201);
    const task2 = s.tasks[1]!;
    expect(task2).toMatchObject({ n: 2, hidden: true, passed: false });
    expect(task2.calls).toBeUndefined();
    expect(task2.explain).toBeUndefined();
    expect(task2.prompt).toMatch(/SMM/);

    const unasked = await predict(t, 'three-designs', s.sessionId, 2, { iterations: 1 });
    expect(unasked.status).toBe(400);
    expect(unasked.body.field).toBe('iterations');
    // One graded prediction per task: every field it asks for, at once.
    const partial = await predict(t, 'three-designs', s.sessionId, 2, { errno: 'ENOENT' });
    expect(partial.status).toBe(400);
    expect(partial.body).toMatchObject({ field: 'rootRole', detail: expect.stringMatching(/predict them all at once/) });

    const wrongRole = { smm: false, guestMode: false };
    const wrong = await predict(t, 'three-designs', s.sessionId, 2, { errno: 'ENOENT', rootRole: wrongRole });
    expect(wrong.status, wrong.text).toBe(200);
    expect(wrong.body).toMatchObject({ stored: true, n: 2, prediction: { ret: -2, rootRole: wrongRole } });
    const predictedAt = wrong.body.predictedAt as string;
    expect(Date.parse(predictedAt)).not.toBeNaN();

    // Stored: the calls appear (the student must make them); the rule and the hints do not.
    const revealed = (await t.api.get(`/v1/labs/three-designs/sessions/${s.sessionId}`)).body as SessionView;
    expect(revealed.tasks[1]).toMatchObject({ hidden: false, predictedAt });
    expect(revealed.tasks[1]!.calls).toHaveLength(3);
    expect(revealed.tasks[1]!.explain).toBeUndefined();
    const before = (await check(t, 'three-designs', s.sessionId)).tasks[1]!;
    expect(before.predictions).toEqual({ rootRole: { given: wrongRole }, ret: { given: -2 } }); // not run yet
    expect(before.withheld).toBe(true);
    expect(before.checks.every((c) => c.hint === undefined && /withheld/.test(c.detail))).toBe(true);

    // Every later change is a 409 that says why and how to start over; the same one again is not a change.
    const changed = await predict(t, 'three-designs', s.sessionId, 2, { ret: '-EOPNOTSUPP', rootRole: { smm: true, guestMode: false } });
    expect(changed.status).toBe(409);
    expect(changed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(changed.body).toMatchObject({
      type: 'urn:prefault-lab:problem:conflict',
      detail: expect.stringMatching(/first prediction is the graded one.*reset/),
    });
    const again = await predict(t, 'three-designs', s.sessionId, 2, { rootRole: { guestMode: false, smm: false }, ret: -2 });
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({ prediction: { ret: -2, rootRole: wrongRole }, predictedAt });

    // Only the rootRole call has run: the ret call's outcome (and so the rule) is still to come.
    await runCall(t, 'three-designs', s, 2, 1);
    const half = (await check(t, 'three-designs', s.sessionId)).tasks[1]!;
    expect(half.predictions!.rootRole).toMatchObject({ correct: false });
    expect(half.withheld).toBe(true);
    expect((await t.api.get(`/v1/labs/three-designs/sessions/${s.sessionId}`)).body.tasks[1].explain).toBeUndefined();

    await runCall(t, 'three-designs', s, 2, 3); // the reject-smm-guest-mode VM, vCPU 1 in SMM
    const graded = (await check(t, 'three-designs', s.sessionId)).tasks[1]!;
    expect(graded.predictions).toEqual({
      rootRole: { given: wrongRole, actual: { smm: true, guestMode: false, level: 4 }, correct: false },
      ret: { given: -2, actual: -95, correct: false },
    });
    expect(graded.withheld).toBeUndefined();
    expect(graded.checks.find((c) => !c.passed)!.hint).toMatch(/switch-root-mmu/); // call 2 not made yet
    const view = (await t.api.get(`/v1/labs/three-designs/sessions/${s.sessionId}`)).body as SessionView;
    expect(view.tasks[1]!.explain).toMatch(/kvm_calc_cpu_role/);
    // Seeing the outcome changes nothing: still locked.
    const late = await predict(t, 'three-designs', s.sessionId, 2, { ret: -95, rootRole: { smm: true, guestMode: false } });
    expect(late.status).toBe(409);

    // The teacher sees what was predicted, when, and that it was wrong.
    const progress = await t.api.get('/v1/teacher/progress');
    expectDocumented(progress, 'getTeacherProgress');
    const ada = (progress.body.students as { student: string; sessions: { sessionId: string; tasks: Record<string, unknown>[] }[] }[]).find(
      (x) => x.student === 'ada',
    )!;
    const row = ada.sessions.find((x) => x.sessionId === s.sessionId)!.tasks[1]!;
    expect(row).toMatchObject({ n: 2, predictedAt, predictions: graded.predictions });

    // Reset starts over: a new prediction may be stored.
    const reset = await t.api.post(`/v1/labs/three-designs/sessions/${s.sessionId}/reset`).send();
    expect(reset.status).toBe(200);
    expect(reset.body.tasks[1]).toMatchObject({ hidden: true });
    const fresh = await predict(t, 'three-designs', s.sessionId, 2, { ret: -95, rootRole: { smm: true, guestMode: false } });
    expect(fresh.status, fresh.text).toBe(200);
  });

  it('of two different first predictions sent at once, exactly one is stored', async () => {
    const s = await start(t, 'huge-pages', { mode: 'predict', student: 'racer' }, 201);
    const answers = await Promise.all(['4K', '2M', '1G'].map((level) => predict(t, 'huge-pages', s.sessionId, 3, { level })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    const won = answers.find((a) => a.status === 200)!.body.prediction;
    const view = (await t.api.get(`/v1/labs/huge-pages/sessions/${s.sessionId}`)).body as SessionView;
    expect(view.tasks[2]!.predictions).toEqual({ level: { given: won.level } });
  });

  it('a passed task stays passed (without a hint) after a call that undoes its state; Reset starts over', async () => {
    const s = await start(t, 'huge-pages', { student: 'barbara' }, 201);
    await runCall(t, 'huge-pages', s, 1, 1);
    expect((await check(t, 'huge-pages', s.sessionId)).tasks[0]!.passed).toBe(true);
    // Deleting slot 1 zaps its leaves: the leaf-count check fails now, the task stays passed.
    const vm = s.vms[0]!.vmId;
    expect((await t.api.delete(`/v1/vms/${vm}/memslots/0/1`)).status).toBe(200);
    const after = await check(t, 'huge-pages', s.sessionId);
    expect(after.tasks[0]!.passed).toBe(true);
    expect(after.tasks[0]!.checks.some((c) => !c.passed)).toBe(true);
    expect(after.tasks[0]!.checks.every((c) => c.hint === undefined)).toBe(true);

    const reset = await t.api.post(`/v1/labs/huge-pages/sessions/${s.sessionId}/reset`).send();
    expect(reset.status, reset.text).toBe(200);
    expectDocumented(reset, 'resetLabSession');
    expect(reset.body.sessionId).toBe(s.sessionId);
    expect(reset.body.vms[0].vmId).not.toBe(vm);
    expect((await t.api.get(`/v1/vms/${vm}`)).status).toBe(404);
    expect(reset.body.tasks.every((task: { passed: boolean }) => !task.passed)).toBe(true);
    expect((await check(t, 'huge-pages', s.sessionId)).tasks[0]!.passed).toBe(false);
    expect((await start(t, 'huge-pages', { student: 'barbara' }, 200)).vms[0]!.vmId).toBe(reset.body.vms[0].vmId);
  });
});

describe('teacher and student tokens', () => {
  it('hides quiz answer keys and the progress view from students, and lists every student for a teacher', async () => {
    const app = await build({ apiTokenHashes: [hashToken('alice-token')], teacherTokenHashes: [hashToken('teacher-token')] });
    try {
      const alice = { authorization: 'Bearer alice-token' };
      const teacher = { authorization: 'Bearer teacher-token' };
      const quiz = await app.api.post('/v1/quizzes').set(alice).send({ topic: 'errno', seed: 7 });
      expect(quiz.status).toBe(201);
      const denied = await app.api.get(`/v1/quizzes/${quiz.body.id}/answers`).set(alice);
      expect(denied.status).toBe(403);
      expect(denied.body.type).toBe('urn:prefault-lab:problem:forbidden');
      expectDocumented(denied, 'getQuizAnswers');
      const key = await app.api.get(`/v1/quizzes/${quiz.body.id}/answers`).set(teacher);
      expect(key.status, key.text).toBe(200);
      expectDocumented(key, 'getQuizAnswers');

      const answers = Object.fromEntries(key.body.answers.map((a: { id: string; value: unknown }, i: number) => [a.id, i === 0 ? 'wrong' : a.value]));
      const submitted = await app.api.post(`/v1/quizzes/${quiz.body.id}/submissions`).set(alice).send({ answers });
      expect(submitted.status).toBe(200);
      expectDocumented(submitted, 'submitQuiz');
      const total = key.body.answers.length as number;
      expect(submitted.body.score).toBe(total - 1);

      const s = await start(app, 'smm-address-space', { student: 'alice' }, 201, alice);
      await runCall(app, 'smm-address-space', s, 1, 1, alice);
      expect((await check(app, 'smm-address-space', s.sessionId, alice)).tasks[0]!.passed).toBe(true);

      const labForStudent = await app.api.get('/v1/labs/three-designs').set(alice);
      expectDocumented(labForStudent, 'getLab');
      expect(labForStudent.body.tasks.every((task: object) => !('checks' in task))).toBe(true);
      expect(labForStudent.body.tasks[1]).not.toHaveProperty('calls'); // a predicting task
      expect(labForStudent.body.tasks[5].calls).toHaveLength(3); // a guided one
      expect((await app.api.get('/v1/labs/three-designs').set(teacher)).body.tasks[1].checks.length).toBeGreaterThan(0);

      const forStudent = await app.api.get('/v1/teacher/progress').set(alice);
      expect(forStudent.status).toBe(403);
      expectDocumented(forStudent, 'getTeacherProgress');
      const progress = await app.api.get('/v1/teacher/progress').set(teacher);
      expect(progress.status, progress.text).toBe(200);
      expectDocumented(progress, 'getTeacherProgress');
      const students = progress.body.students as {
        student: string;
        sessions: { labId: string; tasksPassed: number; taskCount: number }[];
        quizzes: { topic: string; of: number; count: number; best: { score: number } }[];
      }[];
      const row = students.find((x) => x.sessions.length > 0)!;
      expect(row.student).toBe('alice');
      expect(row.sessions).toEqual([expect.objectContaining({ labId: 'smm-address-space', tasksPassed: 1, taskCount: 5 })]);
      // One student per token: the quiz taken under the same token is listed with the session.
      expect(row.quizzes).toEqual([
        expect.objectContaining({ topic: 'errno', of: total, count: 1, best: expect.objectContaining({ score: total - 1 }) }),
      ]);
      expect((await app.api.get('/v1/teacher/progress')).status).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('serves the teacher page and its module, which reads the progress API', async () => {
    const page = await t.api.get('/ui/teacher.html');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<script type="module" src="/ui/teacher.js"></script>');
    const script = await t.api.get('/ui/teacher.js');
    expect(script.status).toBe(200);
    expectDocumented(script, 'getUiFile');
    expect(script.headers['content-type']).toMatch(/^(application|text)\/javascript/);
    expect(script.text).toContain("get('/v1/teacher/progress')");
    expect(script.text).toContain("from './dom.js'");
  });

  it('an open server has no roles: answer keys and progress are visible', async () => {
    const quiz = await t.api.post('/v1/quizzes').send({ topic: 'roots', seed: 3 });
    expect((await t.api.get(`/v1/quizzes/${quiz.body.id}/answers`)).status).toBe(200);
    const sub = await t.api.post(`/v1/quizzes/${quiz.body.id}/submissions`).send({ student: 'open-student', answers: { q1: 'x' } });
    expect(sub.status).toBe(200);
    const progress = await t.api.get('/v1/teacher/progress');
    expect(progress.status).toBe(200);
    expect(progress.body.students.find((x: { student: string }) => x.student === 'open-student').quizzes).toHaveLength(1);
    // Student names are stored as text: control characters (PostgreSQL text cannot hold NUL) are a 400 naming the field.
    const nul = await t.api.post(`/v1/quizzes/${quiz.body.id}/submissions`).send({ student: 'a\u0000b', answers: { q1: 'x' } });
    expect(nul.status).toBe(400);
    expect(nul.body.field).toMatch(/student/);
    const labs = (await t.api.get('/v1/labs')).body.labs as { id: string }[];
    const session = await t.api.post(`/v1/labs/${labs[0]!.id}/sessions`).send({ student: '\u0007' });
    expect(session.status).toBe(400);
    expect(session.body.field).toMatch(/student/);
  });
});

describe('GET /v1/vms/{vmId}/operations/{seq}/trace', () => {
  it('answers text/plain for a pre-fault, 400 naming seq for another operation, 404 beyond the log', async () => {
    const vmId = await createSelftestVm(t); // seq 1 memslot, seq 2 vCPU
    const pf = await t.api.post(`/v1/vms/${vmId}/vcpus/0/pre-fault`).send({ gpa: '0x3fffffc00000', size: '0x1000' });
    expect(pf.body.ret).toBe(0);
    const trace = await t.api.get(`/v1/vms/${vmId}/operations/3/trace`);
    expect(trace.status, trace.text).toBe(200);
    expect(trace.headers['content-type']).toMatch(/^text\/plain/);
    expectDocumented(trace, 'getOperationTrace');
    // kvm_tdp_mmu_map on a fresh 4-level EPT root for gfn 0x3fffffc00: the request, three
    // tables linked (iter->gfn rounded down per level), the 4K leaf, then set_spte. A read of
    // untouched memory maps the zero page read-only: (r-xu). Table addresses and pfns are the
    // simulation's own, so they are matched as any hex.
    const X = '[0-9a-f]+';
    const prefix = String.raw`^       CPU 0/KVM-1000  \[000\]     3\.00000`;
    const want = [
      String.raw`0: kvm_mmu_spte_requested: gfn 3fffffc00 pfn ${X} level 1$`,
      String.raw`1: kvm_tdp_mmu_spte_changed: as id 0 gfn 3f8000000 level 4 old_spte 0 new_spte ${X}$`,
      String.raw`2: kvm_tdp_mmu_spte_changed: as id 0 gfn 3fffc0000 level 3 old_spte 0 new_spte ${X}$`,
      String.raw`3: kvm_tdp_mmu_spte_changed: as id 0 gfn 3fffffc00 level 2 old_spte 0 new_spte ${X}$`,
      String.raw`4: kvm_tdp_mmu_spte_changed: as id 0 gfn 3fffffc00 level 1 old_spte 0 new_spte (${X})$`,
      String.raw`5: kvm_mmu_set_spte:     gfn 3fffffc00 spte (${X}) \(r-xu\) level 1 at ${X}$`,
    ];
    const lines = trace.text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(want.length);
    lines.forEach((line, i) => expect(line).toMatch(new RegExp(prefix + want[i])));
    expect(lines[4]!.split(' ').at(-1)).toBe(lines[5]!.match(/spte (\w+)/)![1]); // the leaf set_spte reports is the one installed
    const memslot = await t.api.get(`/v1/vms/${vmId}/operations/1/trace`);
    expect(memslot.status).toBe(400);
    expect(memslot.body.field).toBe('seq');
    expectDocumented(memslot, 'getOperationTrace');
    expect((await t.api.get(`/v1/vms/${vmId}/operations/9/trace`)).status).toBe(404);
  });
});

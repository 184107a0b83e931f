// Labs on arm64 and s390 VMs over HTTP: the two arm64 labs played in predict mode through the
// labs API (predictions graded against what the engines did), and the lab checks reading an
// s390 gmap and an arm64 nested stage-2 from a course's own lab folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../src/labs/catalogue.js';
import { resolvePath } from '../../src/labs/calls.js';
import type { ApiCall } from '../../src/labs/lab-types.js';
import { build, removeTempDirs, useTestApp, type TestApp } from '../helpers/build.js';
import { expectDocumented } from '../helpers/openapi.js';

const t = useTestApp();
const labs = loadCatalogue();

type Graded = Record<string, { given: unknown; actual?: unknown; correct?: boolean }>;
type Grade = {
  passed: boolean;
  tasks: { n: number; passed: boolean; predictions?: Graded; checks: { kind: string; passed: boolean; detail: string; hint?: string }[] }[];
};
type Session = { sessionId: string; vms: { name: string; id: string }[] };

let students = 0;

async function start(app: TestApp, labId: string, mode: 'guided' | 'predict'): Promise<Session> {
  const res = await app.api.post(`/v1/labs/${labId}/sessions`).send({ student: `arch-student-${++students}`, mode });
  expect(res.status, res.text).toBe(201);
  expectDocumented(res, 'createLabSession');
  return res.body;
}

async function grade(app: TestApp, labId: string, s: Session): Promise<Grade> {
  const res = await app.api.get(`/v1/labs/${labId}/sessions/${s.sessionId}/check`);
  expect(res.status, res.text).toBe(200);
  expectDocumented(res, 'checkLabSession');
  return res.body;
}

async function run(app: TestApp, s: Session, call: ApiCall): Promise<void> {
  const ids = Object.fromEntries(s.vms.map((v) => [v.name, v.id]));
  const res = await app.api[call.method.toLowerCase() as 'get'](resolvePath(call.path, ids)).send(call.body);
  expect(res.status, `${call.method} ${call.path}: ${res.text}`).toBeLessThan(300);
}

/** Predicts each task with `answers[n]`, runs its calls, and returns the grade at the end. */
async function playPredicted(app: TestApp, labId: string, answers: Record<number, object>): Promise<Grade> {
  const lab = labs.find((l) => l.id === labId)!;
  const s = await start(app, labId, 'predict');
  const fresh = await grade(app, labId, s);
  expect(fresh.tasks.flatMap((task) => task.checks).filter((c) => c.passed)).toEqual([]);
  for (const task of lab.tasks) {
    if (task.predict) {
      const res = await app.api.post(`/v1/labs/${labId}/sessions/${s.sessionId}/tasks/${task.n}/prediction`).send(answers[task.n]);
      expectDocumented(res, 'predictLabTask');
      expect(res.status, res.text).toBe(200);
    }
    for (const call of task.calls) await run(app, s, call);
  }
  return grade(app, labId, s);
}

describe('the switch design lab (x86 against arm64 nested)', () => {
  it('passes in predict mode, and grades the right answers right: EOPNOTSUPP on x86, the canonical stage-2 and a 2M block on arm64', async () => {
    const done = await playPredicted(t, 'switch-design-lives-on', {
      1: { ret: 'EOPNOTSUPP' },
      2: { ret: 0, rootRole: { smm: false, guestMode: false }, level: '2M' },
    });
    expect(done.tasks.filter((task) => !task.passed).map((task) => task.n)).toEqual([]);
    expect(done.tasks[0]!.predictions).toEqual({ ret: { given: -95, actual: -95, correct: true } });
    expect(done.tasks[1]!.predictions).toEqual({
      ret: { given: 0, actual: 0, correct: true },
      rootRole: { given: { smm: false, guestMode: false }, actual: { smm: false, guestMode: false, level: 3 }, correct: true },
      level: { given: '2M', actual: '2M', correct: true },
    });
  });

  it('grades the x86 answer wrong on arm64: a student who expects the nested stage-2 sees guestMode false', async () => {
    const done = await playPredicted(t, 'switch-design-lives-on', {
      1: { ret: 0 },
      2: { ret: 'EOPNOTSUPP', rootRole: { smm: false, guestMode: true }, level: '4K' },
    });
    expect(done.tasks[0]!.predictions!.ret).toEqual({ given: 0, actual: -95, correct: false });
    expect(done.tasks[1]!.predictions).toMatchObject({
      ret: { actual: 0, correct: false },
      rootRole: { actual: { guestMode: false }, correct: false },
      level: { actual: '2M', correct: false },
    });
    // The checks read the engines, not the predictions: the tasks pass.
    expect(done.passed).toBe(true);
  });

  it('offers the two stage-2s as rootRole answers, with their 3 levels, and grades the one chosen', async () => {
    const s = await start(t, 'switch-design-lives-on', 'predict');
    const view = await t.api.get(`/v1/labs/switch-design-lives-on/sessions/${s.sessionId}`);
    expect(view.status, view.text).toBe(200);
    expectDocumented(view, 'getLabSession');
    const choices = view.body.tasks[1].predict.find((p: { field: string }) => p.field === 'rootRole').choices;
    expect(choices).toEqual([
      { smm: false, guestMode: false, level: 3 },
      { smm: false, guestMode: true, level: 3 },
    ]);
    const stored = await t.api
      .post(`/v1/labs/switch-design-lives-on/sessions/${s.sessionId}/tasks/2/prediction`)
      .send({ ret: 0, rootRole: choices[0], level: '2M' });
    expect(stored.status, stored.text).toBe(200);
    const lab = labs.find((l) => l.id === 'switch-design-lives-on')!;
    for (const call of lab.tasks[1]!.calls) await run(t, s, call);
    expect((await grade(t, 'switch-design-lives-on', s)).tasks[1]!.predictions!.rootRole).toEqual({
      given: choices[0],
      actual: { smm: false, guestMode: false, level: 3 },
      correct: true,
    });
  });

  it('says what the nested stage-2 holds while it does not pass', async () => {
    const s = await start(t, 'switch-design-lives-on', 'guided');
    const fresh = await grade(t, 'switch-design-lives-on', s);
    expect(fresh.tasks[1]!.checks[1]).toMatchObject({ kind: 'rootExists', passed: false, detail: 'There is no root {kind: s2-nested} yet.' });
    const arm = s.vms.find((v) => v.name === 'arm')!.id;
    expect((await t.api.patch(`/v1/vms/${arm}/vcpus/1`).send({ lastRanNested: true })).status).toBe(200);
    const nested = await grade(t, 'switch-design-lives-on', s);
    expect(nested.tasks[1]!.checks[1]).toMatchObject({ passed: true, detail: 'Root {kind: s2-nested} exists (s2-1) and holds 0 leaves.' });
  });
});

describe('the granules lab (4K, 16K and 64K arm64 hosts)', () => {
  it('passes in predict mode: 2M, 32M and 512M blocks, EINVAL at 4K on the 64K host, a 2M block for one 4K page', async () => {
    const done = await playPredicted(t, 'granules', {
      1: { level: '2M' },
      2: { level: '32M' },
      3: { level: '512M' },
      4: { ret: '-EINVAL', level: '2M' },
    });
    expect(done.passed).toBe(true);
    expect(done.tasks.map((task) => task.predictions)).toEqual([
      { level: { given: '2M', actual: '2M', correct: true } },
      { level: { given: '32M', actual: '32M', correct: true } },
      { level: { given: '512M', actual: '512M', correct: true } },
      { ret: { given: -22, actual: -22, correct: true }, level: { given: '2M', actual: '2M', correct: true } },
    ]);
  });

  it('grades an x86 habit wrong: 2M on a 16K host, and a 4K-aligned gpa on a 64K host', async () => {
    const done = await playPredicted(t, 'granules', { 1: { level: '2M' }, 2: { level: '2M' }, 3: { level: '2M' }, 4: { ret: 0, level: '4K' } });
    expect(done.tasks[1]!.predictions!.level).toEqual({ given: '2M', actual: '32M', correct: false });
    expect(done.tasks[2]!.predictions!.level).toEqual({ given: '2M', actual: '512M', correct: false });
    expect(done.tasks[3]!.predictions).toEqual({
      ret: { given: 0, actual: -22, correct: false },
      level: { given: '4K', actual: '2M', correct: false },
    });
  });

  it('refuses a leaf size that no arch has', async () => {
    const s = await start(t, 'granules', 'predict');
    const res = await t.api.post(`/v1/labs/granules/sessions/${s.sessionId}/tasks/1/prediction`).send({ level: '8M' });
    expect(res.status).toBe(400);
  });
});

describe('lab checks on s390 and arm64 VMs from a lab folder', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const S390_LAB = `
id: gmap
title: The s390 gmap
goal: With KVM_CAP_S390_HPAGE_1M a THP-backed slot gets 1M segment leaves; past every slot the call is ENOENT.
spec: ['§19']
vms:
  - name: s
    config: { arch: s390, host: { hpage: true }, s390: { hpage1m: true } }
    memslots:
      - { addressSpace: 0, slot: 0, guestPhysAddr: '0x0', size: '0x400000', backing: { pageSize: 1M } }
    vcpus:
      - { id: 0 }
tasks:
  - n: 1
    title: A 1M leaf
    explain: gmap_link links a segment entry when gmap_1m_allowed; DAT-protected (P set) and young after a read.
    calls:
      - { method: POST, path: '/v1/vms/{vm:s}/vcpus/0/pre-fault', body: { gpa: '0x0', size: '0x100000' } }
    checks:
      - { kind: mappingAt, vm: s, gpa: '0x80000', role: { kind: gmap }, level: 1M, writable: false, accessed: true, hint: pre-fault the first 1M }
      - { kind: leafCount, vm: s, from: '0x0', to: '0x400000', level: 1M, equals: 1, hint: one 1M leaf }
      - { kind: rootExists, vm: s, role: { kind: gmap }, empty: false, hint: the gmap holds a leaf }
  - n: 2
    title: No memslot
    explain: PGM_ADDRESSING becomes ENOENT.
    calls:
      - { method: POST, path: '/v1/vms/{vm:s}/vcpus/0/pre-fault', body: { gpa: '0x800000', size: '0x1000' } }
    checks:
      - { kind: operationLogged, vm: s, op: { op: pre_fault, gpa: '0x800000' }, result: { ret: -2, errno: ENOENT }, hint: pre-fault past the slot }
`;

  it('grades an s390 lab: a 1M gmap leaf, the leaf count, a non-empty gmap and a logged ENOENT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prefault-lab-arch-labs-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'gmap.yaml'), S390_LAB);
    const app = await build({ labsDir: dir });
    try {
      const s = await start(app, 'gmap', 'guided');
      const fresh = await grade(app, 'gmap', s);
      expect(fresh.tasks.flatMap((task) => task.checks.map((c) => [c.passed, c.detail]))).toEqual([
        [false, 'Nothing maps 0x80000 in root {kind: gmap}.'],
        [false, '[0x0, 0x400000) holds 0 1M leaves; the check wants 1.'],
        [false, 'Root {kind: gmap} exists (gmap-0) and holds 0 leaves; the check wants it to hold a leaf.'],
        [false, '0 logged pre_faults match (want 1)'],
      ]);
      const lab = (await app.api.get('/v1/labs/gmap')).body as { tasks: { calls: ApiCall[] }[] };
      for (const task of lab.tasks) for (const call of task.calls) await run(app, s, call);
      const done = await grade(app, 'gmap', s);
      expect(done.tasks.flatMap((task) => task.checks.map((c) => [c.passed, c.detail]))).toEqual([
        [true, 'Root gmap-0 maps 0x80000 with a 1M ram leaf.'],
        [true, '[0x0, 0x400000) holds 1 1M leaf; the check wants 1.'],
        [true, 'Root {kind: gmap} exists (gmap-0) and holds 1 leaf.'],
        [true, 'The log has 1 matching pre_fault; the check wants at least 1.'],
      ]);
    } finally {
      await app.close();
    }
  });
});

describe('sizing a class (docs/class.md)', () => {
  it('one student who starts every lab holds the VMs the labs declare: 15 for the nine labs', async () => {
    const app = await build();
    try {
      for (const lab of labs) expect((await app.api.post(`/v1/labs/${lab.id}/sessions`).send({ student: 'sizing' })).status).toBe(201);
      const list = await app.api.get('/v1/vms?limit=100');
      expect(list.body.nextCursor).toBeNull();
      expect(list.body.vms).toHaveLength(labs.reduce((n, lab) => n + lab.vms.length, 0));
      expect([labs.length, list.body.vms.length]).toEqual([9, 15]);
    } finally {
      await app.close();
    }
  });
});

describe('arm64 lab sessions in a worker and across a restart', () => {
  afterAll(() => removeTempDirs());

  it.each([{ workers: 0 }, { workers: 1 }])('grade the same after a restart replays the arm64 VMs (%j)', async ({ workers }) => {
    const first = await build({ workers });
    let second: TestApp | undefined;
    try {
      const lab = labs.find((l) => l.id === 'switch-design-lives-on')!;
      const s = await start(first, lab.id, 'guided');
      for (const task of lab.tasks) for (const call of task.calls) await run(first, s, call);
      const before = await grade(first, lab.id, s);
      expect(before.passed).toBe(true);
      await first.close();
      second = await build({ databaseUrl: first.databaseUrl, workers });
      const after = await grade(second, lab.id, s);
      expect(after).toEqual(before);
      // The checks read the replayed engines, not only the stored "passed": the nested stage-2 is still empty.
      expect(after.tasks[1]!.checks[1]).toMatchObject({ passed: true, detail: 'Root {kind: s2-nested} exists (s2-1) and holds 0 leaves.' });
    } finally {
      await (second ?? first).close().catch(() => undefined);
    }
  });
});

// Labs on arm64 and s390 VMs over HTTP: the lab checks reading an s390 gmap from a course's
// own lab folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePath } from '../../src/labs/calls.js';
import type { ApiCall } from '../../src/labs/types.js';
import { build, type TestApp } from '../helpers/build.js';
import { expectDocumented } from '../helpers/openapi.js';

type Grade = {
  passed: boolean;
  tasks: { n: number; passed: boolean; checks: { kind: string; passed: boolean; detail: string; hint?: string }[] }[];
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

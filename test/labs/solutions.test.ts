// For every lab: a fresh session fails every check; the lab's own calls, run in order on
// the engine, make each task pass as it is done, and all of them pass at the end.
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../src/labs/catalogue.js';
import { gradeLab } from '../../src/labs/checks.js';
import { startEngineSession } from '../../src/labs/solve.js';

const labs = loadCatalogue();

describe.each(labs.map((l) => [l.id, l] as const))('lab %s', (_id, lab) => {
  it('fails every check on a fresh session, each with its hint', () => {
    const grade = startEngineSession(lab).grade();
    expect(grade.passed).toBe(false);
    for (const task of grade.tasks) {
      expect(task.passed, `task ${task.n}`).toBe(false);
      for (const c of task.checks) {
        expect(c.passed, `task ${task.n} ${c.kind}: ${c.detail}`).toBe(false);
        expect(c.hint).toBeTruthy();
      }
    }
  });

  it('passes task by task when the scripted solution runs', () => {
    const session = startEngineSession(lab);
    for (const task of lab.tasks) {
      for (const call of task.calls) session.run(call);
      const now = session.grade().tasks.find((t) => t.n === task.n)!;
      expect(
        now.checks.filter((c) => !c.passed),
        `task ${task.n} after its calls`,
      ).toEqual([]);
    }
    const final = session.grade();
    expect(final.tasks.filter((t) => !t.passed).map((t) => t.n)).toEqual([]);
    expect(final.passed).toBe(true);
    for (const c of final.tasks.flatMap((t) => t.checks)) expect(c.hint).toBeUndefined();
  });
});

describe('grading reads engine state and the server log, not the client', () => {
  const lab = labs.find((l) => l.id === 'nested-guests')!;

  it('a check on the log does not pass without the log', () => {
    const withoutLog = startEngineSession(lab);
    for (const t of lab.tasks) for (const c of t.calls) withoutLog.run(c);
    const grade = gradeLab(lab, { vms: withoutLog.vms });
    const logChecks = grade.tasks.flatMap((t) => t.checks).filter((c) => c.kind === 'operationLogged');
    expect(logChecks.length).toBeGreaterThan(0);
    for (const c of logChecks) expect(c.passed).toBe(false);
    const stateChecks = grade.tasks.flatMap((t) => t.checks).filter((c) => c.kind !== 'operationLogged');
    for (const c of stateChecks) expect(c.passed, c.detail).toBe(true);
  });

  it('a wrong call leaves the check failing with a detail of what the engine holds', () => {
    const session = startEngineSession(lab);
    // The student pre-faults on the L1 vCPU instead of the L2 one.
    session.run({ method: 'POST', path: '/v1/vms/{vm:vm}/vcpus/0/pre-fault', body: { gpa: '0x0', size: '0x200000' } });
    const task1 = session.grade().tasks[0]!;
    expect(task1.passed).toBe(false);
    expect(task1.checks[0]!.detail).toMatch(/no root \{guestMode: true, smm: false\}/);
    expect(task1.checks[0]!.hint).toMatch(/vCPU 1/);
  });

  it('names a missing VM instead of throwing', () => {
    const session = startEngineSession(lab);
    const grade = gradeLab(lab, { vms: {}, operations: session.operations });
    expect(grade.tasks[0]!.checks[0]!.detail).toMatch(/no VM named vm/);
  });
});

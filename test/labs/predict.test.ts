// Predict, then run: the labs' predictions are answerable by their own calls, their answers
// agree with the spec's tables (written here from kvm-prefault-spec.md, not from the code),
// and grading reads the log after the prediction, never before it.
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../src/labs/catalogue.js';
import { gradePrediction, parsePrediction, type StoredPrediction } from '../../src/labs/predict.js';
import { taskView } from '../../src/labs/task-view.js';
import type { Lab, LabTask, LoggedOperation } from '../../src/labs/lab-types.js';
import { startEngineSession } from '../../src/labs/solve.js';

const labs = loadCatalogue();
const lab = (id: string): Lab => labs.find((l) => l.id === id)!;
const task = (id: string, n: number): LabTask => lab(id).tasks[n - 1]!;
const lengths = (logs: Record<string, LoggedOperation[]>) => Object.fromEntries(Object.entries(logs).map(([k, v]) => [k, v.length]));

/** Predict each task's fields before running its calls; the graded answers, task by task. */
function solveWithPredictions(l: Lab, answer: (t: LabTask) => Record<string, unknown>) {
  const session = startEngineSession(l);
  const graded: Record<number, ReturnType<typeof gradePrediction>> = {};
  for (const t of l.tasks) {
    if (t.predict) {
      const stored: StoredPrediction = { values: parsePrediction(t, answer(t)), logLengths: lengths(session.operations) };
      for (const c of t.calls) session.run(c);
      graded[t.n] = gradePrediction(t, stored, session.operations);
    } else for (const c of t.calls) session.run(c);
  }
  return graded;
}

describe('lab predictions', () => {
  it('the three-designs, SMM and huge-pages labs ask for predictions; three-designs names its VMs by design', () => {
    for (const id of ['three-designs', 'smm-address-space', 'huge-pages'])
      expect(lab(id).tasks.filter((t) => t.predict).length, id).toBeGreaterThanOrEqual(3);
    expect(lab('three-designs').vms.map((v) => v.name)).toEqual(['upstream', 'switch-root-mmu', 'reject-smm-guest-mode']);
  });

  it("every prediction is graded by its own task's calls", () => {
    for (const l of labs) {
      const graded = solveWithPredictions(l, (t) =>
        Object.fromEntries(t.predict!.map((p) => [p.field, p.field === 'ret' ? 0 : p.field === 'rootRole' ? null : p.field === 'level' ? '4K' : 1])),
      );
      for (const t of l.tasks.filter((x) => x.predict))
        for (const p of t.predict!) expect(graded[t.n]![p.field], `${l.id} task ${t.n} ${p.field}`).toHaveProperty('actual');
    }
  });

  it('the answers agree with the spec: §9.1-9.3 for the designs, §4.4 for SMM, §5.2 for alignment', () => {
    // Written from the spec's tables: reject refuses SMM and L2 (EOPNOTSUPP); upstream in SMM
    // uses the smm root and AS1 (AS0-only GPA -> ENOENT); under nested TDP upstream is
    // EOPNOTSUPP and switch-root-mmu maps into the guest_mode=1 root (S5); a slot starting at
    // 1M maps 256 x 4K + 1 x 2M + 256 x 4K.
    const right: Record<string, Record<number, Record<string, unknown>>> = {
      'three-designs': {
        1: { rootRole: { smm: false, guestMode: false, level: 4 } },
        2: { rootRole: { smm: true, guestMode: false }, ret: '-EOPNOTSUPP' },
        3: { ret: 'ENOENT' },
        4: { rootRole: { smm: false, guestMode: true }, ret: -95 },
        5: { ret: '-EOPNOTSUPP', rootRole: { smm: false, guestMode: true } },
      },
      'smm-address-space': {
        1: { rootRole: { smm: false, guestMode: false } },
        2: { ret: -2, rootRole: { smm: true, guestMode: false } },
        3: { iterations: 2 },
        4: { level: '4K' },
        5: { ret: 0 },
      },
      'huge-pages': {
        1: { level: '2M', iterations: 2 },
        2: { level: '4K', iterations: 513 },
        3: { level: '4K' },
        4: { level: '4K' },
        5: { level: '1G', iterations: 2 },
        6: { level: '2M' },
        7: { level: '4K' },
      },
    };
    for (const [id, tasks] of Object.entries(right)) {
      const graded = solveWithPredictions(lab(id), (t) => tasks[t.n]!);
      for (const [n, fields] of Object.entries(graded))
        for (const [field, g] of Object.entries(fields))
          expect(g!.correct, `${id} task ${n} ${field}: actual ${JSON.stringify(g!.actual)}`).toBe(true);
    }
  });

  it('a call made before the prediction does not grade it; the next one does, wrong then right', () => {
    const t = task('three-designs', 2);
    const session = startEngineSession(lab('three-designs'));
    for (const c of t.calls) session.run(c); // ran first: the outcome is on screen
    const role = { smm: true, guestMode: false };
    const late: StoredPrediction = { values: parsePrediction(t, { ret: 'EOPNOTSUPP', rootRole: role }), logLengths: lengths(session.operations) };
    expect(gradePrediction(t, late, session.operations)).toEqual({ rootRole: { given: role }, ret: { given: -95 } });
    const wrong: StoredPrediction = { values: parsePrediction(t, { errno: 'ENOENT', rootRole: role }), logLengths: lengths(session.operations) };
    session.run(t.calls[2]!);
    expect(gradePrediction(t, wrong, session.operations).ret).toEqual({ given: -2, actual: -95, correct: false });
    const right: StoredPrediction = { values: parsePrediction(t, { ret: -95, rootRole: role }), logLengths: lengths(session.operations) };
    session.run(t.calls[2]!);
    expect(gradePrediction(t, right, session.operations).ret).toEqual({ given: -95, actual: -95, correct: true });
  });

  it('refuses a field the task does not ask for, a bad errno, and a prediction missing a field it asks for', () => {
    const t = task('huge-pages', 3);
    expect(() => parsePrediction(t, { ret: 0 })).toThrow(/does not ask for ret/);
    expect(() => parsePrediction(task('three-designs', 3), { ret: 'EBOGUS' })).toThrow(/negative errno/);
    expect(() => parsePrediction(t, {})).toThrow(/predict them all at once \(missing level\)/);
    expect(() => parsePrediction(task('three-designs', 2), { ret: 0 })).toThrow(/missing rootRole/);
    expect(() => parsePrediction(task('three-designs', 6), { ret: 0 })).toThrow(/asks for no prediction/);
  });
});

describe('task view', () => {
  const t = task('three-designs', 2);

  it('predict mode hides calls until a prediction is stored, the explanation until it is graded; guided shows them', () => {
    const before = taskView(t, 'predict', { passed: false });
    expect(before).not.toHaveProperty('calls');
    expect(before).not.toHaveProperty('explain');
    expect(before.hidden).toBe(true);
    expect(before.prompt).toMatch(/SMRAM/);
    expect(before.predict!.map((p) => p.field)).toEqual(['rootRole', 'ret']);
    const prediction = { values: { ret: -95 }, logLengths: {} };
    const stored = taskView(t, 'predict', { passed: false, prediction, graded: { ret: { given: -95 } } });
    expect(stored.calls).toHaveLength(3);
    expect(stored).not.toHaveProperty('explain');
    const half = taskView(t, 'predict', {
      passed: false,
      prediction,
      graded: { ret: { given: -95, actual: -95, correct: true }, rootRole: { given: null } },
    });
    expect(half).not.toHaveProperty('explain');
    const graded = taskView(t, 'predict', { passed: false, prediction, graded: { ret: { given: -95, actual: -95, correct: true } } });
    expect(graded.explain).toMatch(/kvm_calc_cpu_role/);
    const guided = taskView(t, 'guided', { passed: true });
    expect(guided.calls).toHaveLength(3);
    expect(guided).toMatchObject({ passed: true, hidden: false });
  });
});

describe("hints show what the last attempt answered, and why (the engine's reason)", () => {
  it("an operationLogged check that fails names the last matching call's errno and reason", async () => {
    const { evaluateCheck } = await import('../../src/labs/checks.js');
    const check = { kind: 'operationLogged' as const, vm: 'vm', op: { op: 'pre_fault', vcpuId: 0 }, result: { ret: 0 }, hint: 'Pre-fault it.' };
    const op = { op: 'pre_fault' as const, vcpuId: 0, gpa: '0x1', size: '0x1000', flags: '0x0' };
    const log: LoggedOperation[] = [
      { op: { op: 'create_vcpu', vcpu: { id: 0 } }, result: {} },
      { op, result: { ret: -22, errno: 'EINVAL', reason: 'range->gpa is not page aligned: kvm_vcpu_pre_fault_memory' } },
    ];
    const outcome = evaluateCheck(check, { vms: { vm: startEngineSession(lab('huge-pages')).vms.vm! }, operations: { vm: log } });
    expect(outcome.passed).toBe(false);
    expect(outcome.detail).toBe(
      '0 logged pre_faults match (want 1); the last one answered EINVAL: range->gpa is not page aligned: kvm_vcpu_pre_fault_memory',
    );
    expect(outcome.hint).toBe('Pre-fault it.');
    const noReason = evaluateCheck(check, {
      vms: { vm: startEngineSession(lab('huge-pages')).vms.vm! },
      operations: { vm: [{ op, result: { ret: -2, errno: 'ENOENT' } }] },
    });
    expect(noReason.detail).toMatch(/; the last one answered ENOENT$/);
  });
});

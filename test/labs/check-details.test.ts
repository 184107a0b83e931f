// A check's detail is what the lab page shows beside the hint: it reads as a sentence,
// saying what the engine holds and what the check wants.
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../src/labs/catalogue.js';
import { evaluateCheck } from '../../src/labs/checks.js';
import type { Check, LoggedOperation } from '../../src/labs/lab-types.js';
import { startEngineSession } from '../../src/labs/solve.js';

const hugePages = loadCatalogue().find((l) => l.id === 'huge-pages')!;
const detail = (check: Check, log: LoggedOperation[] = []) => {
  const session = startEngineSession(hugePages);
  return evaluateCheck(check, { vms: session.vms, operations: { vm: log } });
};
const prefault: LoggedOperation = { op: { op: 'pre_fault', vcpuId: 0, gpa: '0x0', size: '0x1000', flags: '0x0' }, result: { ret: 0 } };

describe('check details are sentences', () => {
  it('a logged call that matches', () => {
    const check: Check = { kind: 'operationLogged', vm: 'vm', op: { op: 'pre_fault' }, hint: 'h' };
    expect(detail(check, [prefault])).toMatchObject({ passed: true, detail: 'The log has 1 matching pre_fault; the check wants at least 1.' });
    expect(detail(check, [prefault, prefault]).detail).toBe('The log has 2 matching pre_faults; the check wants at least 1.');
  });

  it('roots, leaves and the VM state', () => {
    expect(detail({ kind: 'rootCount', vm: 'vm', equals: 1, hint: 'h' }).detail).toBe('The VM has 0 roots; the check wants 1.');
    expect(detail({ kind: 'rootCount', vm: 'vm', role: { smm: true }, equals: 1, hint: 'h' }).detail).toBe(
      '0 roots match {smm: true}; the check wants 1.',
    );
    expect(detail({ kind: 'rootExists', vm: 'vm', role: { smm: true }, hint: 'h' }).detail).toBe('There is no root {smm: true} yet.');
    expect(detail({ kind: 'leafCount', vm: 'vm', from: '0x0', to: '0x200000', level: '4K', atLeast: 1, hint: 'h' }).detail).toBe(
      '[0x0, 0x200000) holds 0 4K leaves; the check wants at least 1.',
    );
    expect(detail({ kind: 'vmState', vm: 'vm', preFaultAllowed: false, hint: 'h' }).detail).toBe(
      "The VM's preFaultAllowed is true; the check wants false.",
    );
  });
});

// The lab catalogue loads, every lab validates, and malformed labs fail loudly.
import { describe, expect, it } from 'vitest';
import { LabError, loadCatalogue, parseLab } from '../../src/labs/catalogue.js';
import { createLabSession } from '../../src/labs/session.js';

const MINIMAL = `
id: tiny
title: Tiny
goal: one pre-fault
spec: ['§2']
vms:
  - name: vm
    config: {}
    memslots: [{ addressSpace: 0, slot: 0, guestPhysAddr: '0x0', size: '0x200000' }]
    vcpus: [{ id: 0 }]
tasks:
  - n: 1
    title: map
    explain: map a page
    calls: [{ method: POST, path: '/v1/vms/{vm:vm}/vcpus/0/pre-fault', body: { gpa: 0, size: 4096 } }]
    checks: [{ kind: mappingAt, vm: vm, gpa: '0x0', hint: pre-fault it }]
`;

describe('lab catalogue', () => {
  const labs = loadCatalogue();

  it('has the nine teaching labs, with unique ids', () => {
    expect(labs.map((l) => l.id)).toEqual([
      'six-roots',
      'smm-address-space',
      'nested-guests',
      'huge-pages',
      'three-designs',
      'confidential-tdx',
      'accessed-bit',
      'switch-design-lives-on',
      'granules',
    ]);
  });

  it('every lab has a goal, numbered tasks with calls, and a hint on every check', () => {
    for (const lab of labs) {
      expect(lab.goal.length, lab.id).toBeGreaterThan(40);
      lab.tasks.forEach((t, i) => {
        expect(t.n).toBe(i + 1);
        expect(t.calls.length).toBeGreaterThan(0);
        for (const c of t.checks) expect(c.hint.length, `${lab.id} task ${t.n}`).toBeGreaterThan(5);
      });
    }
  });

  it('session VMs carry the contract config and set-up operations', () => {
    const designs = createLabSession(labs.find((l) => l.id === 'three-designs')!);
    expect(designs.map((v) => [v.name, v.config.prefaultPolicy])).toEqual([
      ['upstream', 'upstream'],
      ['switch-root-mmu', 'switch-root-mmu'],
      ['reject-smm-guest-mode', 'reject-smm-guest-mode'],
    ]);
    expect(designs[0]!.config.name).toBe('three-designs:upstream');
    expect(designs[0]!.setupOps.map((o) => o.op)).toEqual(['set_memslot', 'set_memslot', 'create_vcpu', 'create_vcpu', 'create_vcpu', 'create_vcpu']);
    const tdx = createLabSession(labs.find((l) => l.id === 'confidential-tdx')!)[0]!;
    expect(tdx.config.type).toBe('tdx');
    expect(tdx.setupOps.some((o) => o.op === 'finalize')).toBe(false);
  });

  it('refuses a prediction naming a missing call, a read, a field twice, or a task without a prompt', () => {
    const withPredict = (predict: string, prompt = '    prompt: Pre-fault page 0.\n') =>
      MINIMAL.replace(/( {4}explain:)/, `${prompt}$1`).replace(/( {4}checks:)/, `    predict:\n${predict}$1`);
    expect(parseLab(withPredict("      - { field: ret, call: 1, label: 'What does it return?' }\n"), 'ok.yaml').tasks[0]!.predict).toHaveLength(1);
    expect(() => parseLab(withPredict('      - { field: ret, call: 9, label: x }\n'), 'bad.yaml')).toThrow(/names call 9/);
    expect(() => parseLab(withPredict('      - { field: ret, call: 1, label: x }\n      - { field: ret, call: 1, label: y }\n'), 'bad.yaml')).toThrow(
      /predicts ret twice/,
    );
    expect(() => parseLab(withPredict('      - { field: ret, call: 1, label: x }\n', ''), 'bad.yaml')).toThrow(/needs a prompt/);
    expect(() => parseLab(withPredict('      - { field: colour, call: 1, label: x }\n'), 'bad.yaml')).toThrow(/lab schema/);
  });

  it('takes roles as rootRole choices and text as the others, and refuses them swapped', () => {
    const withPredict = (predict: string) =>
      MINIMAL.replace(/( {4}explain:)/, '    prompt: Pre-fault page 0.\n$1').replace(/( {4}checks:)/, `    predict:\n${predict}$1`);
    const roles = '[{ smm: false, guestMode: false, level: 3 }, { smm: false, guestMode: true, level: 4 }]';
    expect(
      parseLab(withPredict(`      - { field: rootRole, call: 1, label: x, choices: ${roles} }\n`), 'ok.yaml').tasks[0]!.predict![0]!.choices,
    ).toEqual([
      { smm: false, guestMode: false, level: 3 },
      { smm: false, guestMode: true, level: 4 },
    ]);
    expect(() => parseLab(withPredict("      - { field: rootRole, call: 1, label: x, choices: ['canonical', 'nested'] }\n"), 'bad.yaml')).toThrow(
      /predict rootRole choices must be roles/,
    );
    expect(() => parseLab(withPredict(`      - { field: ret, call: 1, label: x, choices: ${roles} }\n`), 'bad.yaml')).toThrow(
      /predict ret choices must be text/,
    );
    expect(() =>
      parseLab(withPredict('      - { field: rootRole, call: 1, label: x, choices: [{ smm: false }, { smm: true }] }\n'), 'bad.yaml'),
    ).toThrow(/lab schema/);
  });

  it("builds arm64 and s390 lab VMs as the service would, and refuses another arch's field in their set-up", () => {
    // kvm_set_memory_region checks alignment at the host PAGE_SIZE: a 4K-aligned size is EINVAL on a 64K host, fine on x86.
    const slot4k = MINIMAL.replace("size: '0x200000'", "size: '0x201000'");
    expect(parseLab(slot4k, 'ok.yaml').vms[0]!.memslots![0]!.size).toBe('0x201000');
    const arm = slot4k.replace('config: {}', 'config: { arch: arm64, host: { granule: 64K } }');
    expect(() => parseLab(arm, 'bad.yaml')).toThrow(/the set-up does not run: set-up of vm: set_memslot failed with EINVAL/);
    const s390 = MINIMAL.replace('config: {}', 'config: { arch: s390 }').replace('vcpus: [{ id: 0 }]', 'vcpus: [{ id: 0, smm: true }]');
    expect(() => parseLab(s390, 'bad.yaml')).toThrow(/the set-up does not run: smm is not a field of an s390 VM/);
    expect(parseLab(MINIMAL.replace('config: {}', 'config: { arch: s390 }'), 'ok.yaml').vms[0]!.config).toEqual({ arch: 's390' });
  });

  it('accepts a minimal lab', () => {
    expect(parseLab(MINIMAL, 'tiny.yaml').tasks[0]!.checks[0]!.kind).toBe('mappingAt');
  });

  const broken: [string, string, RegExp][] = [
    ['an unknown check kind', MINIMAL.replace('kind: mappingAt', 'kind: mappingNear'), /lab schema/],
    ['a check without a hint', MINIMAL.replace(', hint: pre-fault it', ''), /hint/],
    ['a typo in a field name', MINIMAL.replace('goal:', 'gaol:'), /lab schema/],
    ['a check naming an unknown VM', MINIMAL.replace('vm: vm, gpa', 'vm: other, gpa'), /unknown VM other/],
    ['a call naming an unknown VM', MINIMAL.replace('{vm:vm}', '{vm:other}'), /unknown VM other/],
    ['a call with no engine operation', MINIMAL.replace('/vcpus/0/pre-fault', '/vcpus/0/prefault'), /no engine operation/],
    ['misnumbered tasks', MINIMAL.replace('n: 1', 'n: 2'), /numbered 2/],
    ['a set-up the engine refuses', MINIMAL.replace("size: '0x200000'", "size: '0x200001'"), /set-up does not run/],
    ['an invalid VM config', MINIMAL.replace('config: {}', 'config: { type: tdx, host: { vendor: amd } }'), /set-up does not run/],
    ['not YAML at all', 'id: [unclosed', /not YAML/],
  ];
  for (const [what, source, message] of broken) {
    it(`refuses ${what}`, () => {
      expect(() => parseLab(source, 'bad.yaml')).toThrow(LabError);
      expect(() => parseLab(source, 'bad.yaml')).toThrow(message);
    });
  }
});

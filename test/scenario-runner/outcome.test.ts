// The runner's oracle can fail: a copy of a vendored scenario with one outcome changed is
// rejected, whatever the product's own comparison says (./outcome.ts imports nothing from
// src/), and the same outcome written with different run grouping is still accepted.
import { describe, expect, it } from 'vitest';
import { engineDriver } from './engine-driver.js';
import { loadScenarios, runScenario, scenarioKernels, type Scenario } from './runner.js';

type Json = Record<string, any>;

const byId = new Map(loadScenarios().map((s) => [s.data.id as string, s]));

/** A deep copy of a vendored scenario with one change. */
function tampered(id: string, change: (d: Json) => void): Scenario {
  const s = byId.get(id);
  if (!s) throw new Error(`no vendored scenario ${id}`);
  const data = structuredClone(s.data);
  change(data);
  return { file: `${s.file} (tampered)`, data };
}

const run = (s: Scenario): Promise<void> => runScenario(engineDriver(), s, '6.18', {});

describe('scenario runner oracle', () => {
  const wrong: [string, string, (d: Json) => void, RegExp][] = [
    ['S01', 'ret', (d) => (d.steps[2].expect.ret = 0), /ret: expected 0/],
    ['S01', 'ret errno name', (d) => (d.steps[2].expect.ret = '-EFAULT'), /ret: expected "-EFAULT"/],
    ['S01', 'gpa_out', (d) => (d.steps[1].expect.gpa_out = '0x3fffffe02000'), /gpa_out/],
    ['S01', 'size_out', (d) => (d.steps[1].expect.size_out = '0x0'), /size_out/],
    ['S01', 'iteration count', (d) => (d.steps[0].expect.iterations[0].count = 511), /iteration: more than expected/],
    ['S01', 'iteration result', (d) => (d.steps[1].expect.iterations[1].result = 'ERROR'), /iteration #1/],
    ['S01', 'iteration errno', (d) => (d.steps[1].expect.iterations[1].errno = '-EFAULT'), /iteration #1/],
    ['S01', 'iteration level', (d) => (d.steps[0].expect.iterations[0].level = '2M'), /iteration #0/],
    ['S01', 'a mapping attribute', (d) => (d.steps[0].expect.mappings_added[0].executable = false), /mappings_added #0/],
    ['S01', 'a mapping kind', (d) => (d.steps[1].expect.mappings_added[1].kind = 'ram'), /mappings_added #1/],
    ['S01', 'a missing mapping', (d) => d.steps[1].expect.mappings_added.pop(), /mappings_added: more than expected/],
    ['S01', 'accessed_set', (d) => (d.steps[4].expect.accessed_set[0].count = 514), /accessed_set: missing/],
    ['S01', 'new_mappings', (d) => (d.steps[4].expect.new_mappings = 1), /new mappings/],
    ['S01', 'final mapping count', (d) => (d.expected_final_state.mappings[0].count = 512), /final mappings of R0/],
    [
      'S21',
      'final mapping attribute',
      (d) => (d.expected_final_state.mappings[0].writable = !d.expected_final_state.mappings[0].writable),
      /final mappings of R0/,
    ],
    ['S30', 'roots_created', (d) => (d.steps[2].expect.roots_created = []), /roots_created/],
    ['S30', 'a root label', (d) => (d.steps[3].expect.mappings_added[0].root = 'R0'), /root R0 was/],
    ['S30', 'an unknown expectation', (d) => (d.steps[0].expect.mappings_removed = []), /unknown expectation "mappings_removed"/],
  ];
  it.each(wrong)('%s with a wrong %s fails', async (id, _what, change, message) => {
    await expect(run(tampered(id, change))).rejects.toThrow(message);
  });

  // arm64 and s390 files run on their own kernels, with the fields only they have.
  const wrongArch: [string, string, (d: Json) => void, RegExp][] = [
    ['A02', 'iteration fsc', (d) => (d.steps[0].expect.iterations[0].fsc = 'TRANSLATION_L2'), /iteration #0/],
    ['A02', 'iteration attempts', (d) => (d.steps[1].expect.iterations[0].attempts = 2), /iteration #0/],
    ['A02', 'SPURIOUS as FIXED', (d) => (d.steps[1].expect.iterations[0].result = 'FIXED'), /iteration #0/],
    ['A02', 'arch_bits', (d) => (d.steps[0].expect.mappings_added[0].arch_bits.mem_attr = 15), /mappings_added #0/],
    ['A02', '2M leaf as 4K', (d) => (d.expected_final_state.mappings[0].level = '4K'), /final mappings of R0/],
    [
      'A05',
      'a leaf in the nested stage-2',
      (d) => d.expected_final_state.mappings.push({ ...d.expected_final_state.mappings[0], root: 'R1' }),
      /final mappings of R1/,
    ],
    ['A05', 'root kind', (d) => (d.expected_final_state.roots[1].role.kind = 's2-canonical'), /final roots/],
    ['Z02', '1M leaves as 4K', (d) => (d.steps[0].expect.mappings_added[0].level = '4K'), /mappings_added/],
    ['Z03', 'ret', (d) => (d.steps[1].expect.ret = '-EINVAL'), /ret: expected "-EINVAL"/],
    ['Z03', 'capability', (d) => (d.steps[0].expect.value = 1), /steps\[0\]/],
  ];
  it.each(wrongArch)('%s with a wrong %s fails', async (id, _what, change, message) => {
    const s = tampered(id, change);
    await expect(runScenario(engineDriver(), s, scenarioKernels(s)[0]!, {})).rejects.toThrow(message);
  });

  it('a step stating an outcome that no operation ran for fails', async () => {
    const s = tampered('S30', (d) => d.steps.push({ op: 'no_such_op', expect: { ret: 0 } }));
    await expect(run(s)).rejects.toThrow(/unknown step op|no operation ran/);
  });

  it('the same outcome grouped differently passes: runs are compared leaf by leaf and iteration by iteration', async () => {
    const s = tampered('S01', (d) => {
      const [iter] = d.steps[0].expect.iterations;
      d.steps[0].expect.iterations = [
        { ...iter, count: 500 },
        { ...iter, gpa: '0x3fffffdf4000', count: 12 },
      ];
      const [row] = d.steps[0].expect.mappings_added;
      d.steps[0].expect.mappings_added = [
        { ...row, gpa: '0x3fffffc01000', count: 511 },
        { ...row, count: 1 },
      ];
    });
    await expect(run(s)).resolves.toBeUndefined();
  });
});

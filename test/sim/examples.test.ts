// Every vendored scenario file (test/scenarios/, format in its README) against the engine, on
// every kernel version the scenario holds for and every host variant it names.
import { describe, it } from 'vitest';
import { engineDriver } from '../scenario-runner/engine-driver.js';
import { loadScenarios, runScenario, scenarioKernels, scenarioVariants } from '../scenario-runner/runner.js';

const scenarios = loadScenarios();

describe('scenario files against the engine', () => {
  it('finds the spec examples', ({ expect }) => {
    expect(scenarios.map((s) => s.data.id)).toEqual(expect.arrayContaining(['S01', 'S02', 'S03', 'S09', 'S21', 'S30']));
  });
  for (const s of scenarios) {
    for (const kernel of scenarioKernels(s)) {
      for (const when of scenarioVariants(s)) {
        const label = Object.keys(when).length ? ` with ${JSON.stringify(when)}` : '';
        it(`${s.data.id} ${s.data.name} on ${kernel}${label}`, async () => {
          await runScenario(engineDriver(), s, kernel, when);
        });
      }
    }
  }
});

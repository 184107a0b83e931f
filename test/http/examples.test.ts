// Every scenario file over HTTP: the same generic runner as test/sim/examples.test.ts,
// driven through the service (validation, queue, log). One kernel (6.18) keeps it quick;
// the engine flavour covers every version.
import { describe, it } from 'vitest';
import { useTestApp } from '../helpers/build.js';
import { httpDriver } from '../scenario-runner/http-driver.js';
import { loadScenarios, runScenario, scenarioKernels, scenarioVariants } from '../scenario-runner/runner.js';

const t = useTestApp();

describe('scenario files over HTTP', () => {
  for (const s of loadScenarios()) {
    const kernel = scenarioKernels(s).at(-1)!;
    for (const when of scenarioVariants(s)) {
      const label = Object.keys(when).length ? ` with ${JSON.stringify(when)}` : '';
      it(`${s.data.id} ${s.data.name} on ${kernel}${label}`, async () => {
        await runScenario(httpDriver(t), s, kernel, when);
      });
    }
  }
});

// The two labs on arm64 VMs in chromium, in predict mode, through the lab page as a student
// uses it: choose the predictions offered, store them, run the calls (the viewer's pre-fault
// form for pre-faults, Run for the PATCH and GETs), Check, and read the grade of each answer.
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventually, haveChromium, missingChromium, settled, tid, useBrowser } from './harness.js';

missingChromium('test/browser/lab-arches.test.ts');

/** Runs every call of a task in order: Run for the calls without a form, the pre-fault form for the others. */
async function runAllCalls(page: Page, task: Locator): Promise<void> {
  const calls = await task.locator('code[data-path]').evaluateAll((cs) => cs.map((c) => c.textContent ?? ''));
  let form = 0;
  let run = 0;
  for (const call of calls) {
    if (/^POST \S+\/pre-fault /.test(call)) {
      await task.locator('button', { hasText: 'Use in form' }).nth(form++).click();
      await settled(page);
      await tid(page, 'prefault-submit').click();
    } else await task.locator('[data-testid="run-call"]').nth(run++).click();
    await settled(page);
  }
}

async function predictAndRun(page: Page, n: number, answers: Record<string, string>): Promise<Locator> {
  const form = tid(page, `predict-form-${n}`);
  for (const [field, label] of Object.entries(answers)) await form.locator(`[data-testid="predict-${field}"]`).selectOption({ label });
  await tid(page, `predict-submit-${n}`).click();
  await settled(page);
  const task = tid(page, `lab-task-${n}`);
  await runAllCalls(page, task);
  await tid(page, 'lab-check').click();
  await settled(page);
  return task;
}

const correctness = (page: Page, n: number, field: string) =>
  tid(page, `predict-graded-${n}`).locator(`li[data-field="${field}"]`).getAttribute('data-correct');

describe.skipIf(!haveChromium)('the arm64 labs in chromium', { timeout: 180_000 }, () => {
  const browser = useBrowser({ width: 1400, height: 1000 });

  it('granules: the block size per granule and the 64K-host EINVAL, predicted and graded on the page', async () => {
    const { page, errors } = await browser.open();
    await tid(page, 'student').fill('ada-granules');
    await tid(page, 'student').dispatchEvent('change');
    await page.locator('[data-testid="lab-predict-granules"]').click();
    await eventually(() => page.url()).toMatch(/#\/labs\/granules\/sessions\//);
    await settled(page);
    // Right on the 4K host, an x86 habit on the 16K host.
    const first = await predictAndRun(page, 1, { level: '2M' });
    expect(await correctness(page, 1, 'level')).toBe('true');
    expect(await first.getAttribute('data-passed')).toBe('true');
    const second = await predictAndRun(page, 2, { level: '2M' });
    expect(await correctness(page, 2, 'level')).toBe('false');
    expect(await tid(page, 'predict-graded-2').textContent()).toContain('32M');
    expect(await second.getAttribute('data-passed')).toBe('true');
    const fourth = await predictAndRun(page, 4, { ret: '-EINVAL', level: '2M' });
    expect(await correctness(page, 4, 'ret')).toBe('true');
    expect(await correctness(page, 4, 'level')).toBe('true');
    expect(await fourth.getAttribute('data-passed')).toBe('true');
    await eventually(() => fourth.locator('.explain').count()).toBe(1);
    expect(await fourth.locator('.explain').textContent()).toMatch(/PAGE_ALIGNED/);
    expect(errors).toEqual([]);
  });

  it('the switch design: EOPNOTSUPP on x86, the canonical stage-2 chosen among the offered roles on arm64', async () => {
    const { page, errors } = await browser.open();
    await tid(page, 'student').fill('ada-switch');
    await tid(page, 'student').dispatchEvent('change');
    await page.locator('[data-testid="lab-predict-switch-design-lives-on"]').click();
    await eventually(() => page.url()).toMatch(/#\/labs\/switch-design-lives-on\/sessions\//);
    await settled(page);
    const x86 = await predictAndRun(page, 1, { ret: '-EOPNOTSUPP' });
    expect(await correctness(page, 1, 'ret')).toBe('true');
    expect(await x86.getAttribute('data-passed')).toBe('true');
    const arm = await predictAndRun(page, 2, { ret: '0', rootRole: 'level 3, smm 0, guest_mode 0', level: '2M' });
    for (const field of ['ret', 'rootRole', 'level']) expect(await correctness(page, 2, field)).toBe('true');
    expect(await arm.getAttribute('data-passed')).toBe('true');
    expect(errors).toEqual([]);
  });
});

// The lab page in chromium. Guided: Start opens the session's own URL with the
// tasks beside the viewer and the VMs named by their role; reloading that URL reopens the
// same session and Start again creates no VMs. Predict: calls hidden until a prediction is
// stored, then the prediction locked and the rule and hints held back until the calls ran;
// a wrong prediction graded wrong, Reset gives fresh VMs and an open form, a right one is
// graded right. Without a name each browser has its own session; asking for the other
// mode offers to start over in it. Start asks the server, never what this browser remembers.
// Screenshots: docs/lab-page.png, docs/lab-predict.png (UPDATE_SCREENSHOT=1).
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventually, haveChromium, missingChromium, screenshotPath, settled, tid, useBrowser } from './harness.js';

missingChromium('test/browser/lab-page.test.ts');

async function vmCount(page: Page, url: string): Promise<number> {
  const res = await page.request.get(`${url}/v1/vms?limit=1000`);
  return ((await res.json()) as { vms: unknown[] }).vms.length;
}

/** Runs a task's calls through the forms ("Use in form", then the form's button). */
async function runCalls(page: Page, task: Locator): Promise<void> {
  const calls = (
    await task
      .locator('code[data-path]')
      .evaluateAll((cs) => cs.map((c) => ({ path: (c as HTMLElement).dataset.path!, vmId: (c as HTMLElement).dataset.vmId! })))
  ).filter((c) => /\/(pre-fault|access)$/.test(c.path));
  for (let i = 0; i < calls.length; i++) {
    const vmId = calls[i]!.vmId;
    await task.locator('button', { hasText: 'Use in form' }).nth(i).click();
    await settled(page);
    expect(await tid(page, 'vm-select').inputValue()).toBe(vmId);
    const before = await tid(page, 'oplog-row').first().getAttribute('data-seq');
    await tid(page, calls[i]!.path.endsWith('/access') ? 'access-submit' : 'prefault-submit').click();
    await settled(page);
    expect(await tid(page, 'oplog-row').first().getAttribute('data-seq')).toBe(String(Number(before) + 1));
  }
}

describe.skipIf(!haveChromium)('the lab page in chromium', { timeout: 180_000 }, () => {
  const browser = useBrowser({ width: 1400, height: 1000 });

  it('opens a session at its own URL, tasks beside the viewer, VMs named by role, Start idempotent', async () => {
    const { page, errors } = await browser.open();
    const before = await vmCount(page, browser.url);
    await page.locator('[data-testid="lab-start-three-designs"]').click();
    await eventually(() => page.url()).toMatch(/#\/labs\/three-designs\/sessions\/[^/]+$/);
    await settled(page);
    const sessionUrl = page.url();
    expect(await vmCount(page, browser.url)).toBe(before + 3);

    // The tasks sit in their own column left of the viewer, at the top of the page.
    const tasks = await tid(page, 'lab-tasks').boundingBox();
    const strip = await tid(page, 'strip').boundingBox();
    expect(tasks!.x + tasks!.width).toBeLessThanOrEqual(strip!.x);
    expect(tasks!.y).toBeLessThan(400);
    expect(await tid(page, 'labs-panel').isHidden()).toBe(true);
    // VMs by role, in the chips and in the picker.
    expect(await tid(page, 'lab-vms').locator('.vm-chip').allTextContents()).toEqual([
      'upstream',
      expect.stringMatching(/^switch/),
      expect.stringMatching(/^reject/),
    ]);
    expect(await tid(page, 'vm-select').locator('option').first().textContent()).toMatch(/^upstream \(/);
    expect(await tid(page, 'lab-task-2').locator('code').first().textContent()).toMatch(/^POST \/v1\/vms\/\{upstream\}\/vcpus\/1\/pre-fault/);

    // The URL is the bookmark: a new tab on it shows the same session.
    const second = await page.context().newPage();
    await second.goto(sessionUrl);
    await second.waitForSelector('body[data-ready="true"]');
    expect(await tid(second, 'lab-page-title').textContent()).toMatch(/Three designs/);
    await second.close();

    // Start again: back on the same session, no new VMs.
    await page.goto(`${browser.url}/#/`);
    await settled(page);
    await page.locator('[data-testid="lab-start-three-designs"]').click();
    await eventually(() => page.url()).toBe(sessionUrl);
    await settled(page);
    expect(await vmCount(page, browser.url)).toBe(before + 3);

    // Use in form + Pre-fault on the upstream VM, graded right after the call.
    await runCalls(page, tid(page, 'lab-task-1'));
    await eventually(() => tid(page, 'lab-task-1').getAttribute('data-passed')).toBe('true');
    await page.screenshot({ path: screenshotPath('lab-page') });
    expect(errors).toEqual([]);
  });

  it("runs a call the viewer has no form for (the SMM lab's PATCH), then the pre-fault it sets up", async () => {
    const { page, errors } = await browser.open();
    await page.locator('[data-testid="lab-start-smm-address-space"]').click();
    await eventually(() => page.url()).toMatch(/#\/labs\/smm-address-space\/sessions\//);
    await settled(page);
    const task = tid(page, 'lab-task-2');
    expect(await tid(page, 'vcpu-0').textContent()).toContain('L1');
    // PATCH smm: true, run from the task; the vCPU table follows.
    await task.locator('[data-testid="run-call"]').first().click();
    await settled(page);
    expect(await tid(page, 'vcpu-0').textContent()).toContain('SMM');
    expect(await tid(page, 'call-result').textContent()).toMatch(/^PATCH \/v1\/vms\/\{vm\}\/vcpus\/0:/);
    // In SMM, 0x1000 is in no address-space-1 slot: ENOENT (the lab's statement of the rule).
    await runCalls(page, task);
    expect(await tid(page, 'call-result').textContent()).toMatch(/ret -2 \(ENOENT\)/);
    expect(await task.getAttribute('data-passed')).toBe('true');
    expect(errors).toEqual([]);
  });

  it('Start opens the session the server has, not one this browser kept from an earlier server', async () => {
    const { page, errors } = await browser.open();
    // A session list as pages once kept it in localStorage, naming a session and VM this server never had.
    const kept = {
      '|huge-pages': { id: 'gone', labId: 'huge-pages', mode: 'guided', vms: [{ role: 'vm', vmId: 'gone-vm', name: 'vm' }], tasks: null },
    };
    await page.evaluate((v) => localStorage.setItem('prefault-lab.sessions', v), JSON.stringify(kept));
    await page.reload();
    await settled(page);
    await tid(page, 'lab-start-huge-pages').click();
    await eventually(() => page.url()).toMatch(/#\/labs\/huge-pages\/sessions\/[^/]+$/);
    await settled(page);
    expect(page.url()).not.toMatch(/\/sessions\/gone$/);
    expect(await tid(page, 'lab-vm-vm').count()).toBe(1);
    expect(await tid(page, 'error').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('predict mode: the prediction locks, the rule waits for the calls; Reset starts over and a right one is graded right', async () => {
    const { page, errors } = await browser.open();
    // Start is once per student and lab: another student gets a session of their own.
    await tid(page, 'student').fill('ada');
    await tid(page, 'student').dispatchEvent('change');
    await page.locator('[data-testid="lab-predict-three-designs"]').click();
    await eventually(() => page.url()).toMatch(/#\/labs\/three-designs\/sessions\//);
    await settled(page);
    expect(await tid(page, 'lab-page-meta').textContent()).toMatch(/predict mode/);
    const vmsBefore = await tid(page, 'vm-select')
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));

    // Task 2, the SMM vCPU and SMRAM: its calls stay hidden until a prediction is stored.
    const task = tid(page, 'lab-task-2');
    const form = tid(page, 'predict-form-2');
    expect(await tid(page, 'calls-hidden-2').count()).toBe(1);
    expect(await task.locator('button', { hasText: 'Use in form' }).count()).toBe(0);
    expect(await task.locator('.explain').count()).toBe(0);
    expect(await tid(page, 'hints-withheld-2').count()).toBe(0); // "predict first" says it all

    // Wrong on both counts: upstream maps SMRAM for an SMM vCPU into the smm=1 root, and
    // reject-smm-guest-mode refuses is_smm() with -EOPNOTSUPP (the kernel facts the lab is about).
    await form.locator('[data-testid="predict-rootRole"]').selectOption({ label: 'level 4, smm 0, guest_mode 0' });
    await form.locator('[data-testid="predict-ret"]').selectOption({ label: '0' });
    await tid(page, 'predict-submit-2').click();
    await settled(page);
    // Stored: the calls appear, the form is locked, the rule and the hints wait for the calls.
    expect(await tid(page, 'calls-hidden-2').count()).toBe(0);
    expect(await tid(page, 'predict-form-2').getAttribute('data-locked')).toBe('true');
    expect(await tid(page, 'predict-locked-2').count()).toBe(1);
    expect(await tid(page, 'predict-submit-2').count()).toBe(0);
    expect(await tid(page, 'predict-form-2').locator('select, input').count()).toBe(0);
    expect(await task.locator('.explain').count()).toBe(0);
    expect(await tid(page, 'hints-withheld-2').count()).toBe(1);
    expect(await task.locator('.hint').count()).toBe(0);

    await runCalls(page, task);
    await tid(page, 'lab-check').click();
    await settled(page);
    const graded = tid(page, 'predict-graded-2');
    expect(await graded.locator('li[data-field="rootRole"]').getAttribute('data-correct')).toBe('false');
    expect(await graded.locator('li[data-field="ret"]').getAttribute('data-correct')).toBe('false');
    // Graded: now the rule shows, and the hints with it; the prediction stays locked.
    await eventually(() => task.locator('.explain').count()).toBe(1);
    expect(await task.locator('.explain').textContent()).toMatch(/kvm_calc_cpu_role/);
    expect(await tid(page, 'hints-withheld-2').count()).toBe(0);
    expect(await tid(page, 'predict-locked-2').count()).toBe(1);
    // The task column scrolls on its own; the page itself goes back to the top for the picture.
    await tid(page, 'lab-task-2').evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshotPath('lab-predict') });

    // Reset: fresh VMs for the same roles, progress and predictions gone, calls hidden, the form open again.
    await tid(page, 'lab-reset').click();
    await settled(page);
    const vmsAfter = await tid(page, 'vm-select')
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(vmsAfter).toHaveLength(3);
    for (const id of vmsAfter) expect(vmsBefore).not.toContain(id);
    expect(await tid(page, 'lab-vms').locator('.vm-chip').count()).toBe(3);
    expect(await task.getAttribute('data-passed')).not.toBe('true');
    expect(await tid(page, 'predict-graded-2').count()).toBe(0);
    expect(await tid(page, 'calls-hidden-2').count()).toBe(1);
    expect(await tid(page, 'predict-form-2').getAttribute('data-locked')).toBe('false');

    // Right this time: graded right once the calls made after it have run.
    await form.locator('[data-testid="predict-rootRole"]').selectOption({ label: 'level 4, smm 1, guest_mode 0' });
    await form.locator('[data-testid="predict-ret"]').selectOption({ label: '-EOPNOTSUPP' });
    await tid(page, 'predict-submit-2').click();
    await settled(page);
    await runCalls(page, task);
    await tid(page, 'lab-check').click();
    await settled(page);
    expect(await graded.locator('li[data-field="rootRole"]').getAttribute('data-correct')).toBe('true');
    expect(await graded.locator('li[data-field="ret"]').getAttribute('data-correct')).toBe('true');
    expect(await task.getAttribute('data-passed')).toBe('true');
    expect(errors).toEqual([]);
  });

  it('one session per browser without a name; the other mode offers to start over in it', async () => {
    const first = await browser.open();
    await first.page.locator('[data-testid="lab-start-nested-guests"]').click();
    await eventually(() => first.page.url()).toMatch(/#\/labs\/nested-guests\/sessions\/[^/]+$/);
    await settled(first.page);
    const mine = first.page.url().split('/').at(-1)!;
    expect(await tid(first.page, 'lab-page-meta').textContent()).toMatch(/^guided mode, session /);
    await first.page.close();

    // Another browser (a fresh localStorage, so a fresh id) gets a session of its own.
    const { page, errors } = await browser.open();
    await page.locator('[data-testid="lab-start-nested-guests"]').click();
    await eventually(() => page.url()).toMatch(/#\/labs\/nested-guests\/sessions\/[^/]+$/);
    await settled(page);
    const theirs = page.url().split('/').at(-1)!;
    expect(theirs).not.toBe(mine);
    const vms = await tid(page, 'vm-select')
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));

    // The same lab in predict mode: the server says 409, the page offers both ways out.
    await page.goto(`${browser.url}/#/`);
    await settled(page);
    await page.locator('[data-testid="lab-predict-nested-guests"]').click();
    await settled(page);
    await eventually(() => tid(page, 'lab-mode-conflict-nested-guests').count()).toBe(1);
    expect(await tid(page, 'lab-mode-conflict-nested-guests').textContent()).toMatch(/already have this lab in guided mode/);
    expect(page.url()).not.toContain('/sessions/');
    await tid(page, 'lab-start-over-nested-guests').click();
    await eventually(() => page.url()).toMatch(new RegExp(`/sessions/${theirs}$`));
    await settled(page);
    await eventually(() => tid(page, 'lab-page-meta').textContent()).toMatch(/^predict mode/);
    const fresh = await tid(page, 'vm-select')
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    for (const id of fresh) expect(vms).not.toContain(id);
    expect(errors).toEqual([]);
  });
  it("the teacher page shows each task's prediction (what, when, right or wrong) and a quiz's attempts", async () => {
    const { page, errors } = await browser.open();
    const api = async (method: 'get' | 'post', path: string, data?: object) => {
      const res = await page.request[method](`${browser.url}${path}`, data ? { data } : undefined);
      expect(res.status(), await res.text()).toBeLessThan(300);
      return res.json();
    };
    const s = await api('post', '/v1/labs/huge-pages/sessions', { student: 'grace', mode: 'predict' });
    await api('post', `/v1/labs/huge-pages/sessions/${s.sessionId}/tasks/1/prediction`, { level: '4K', iterations: 2 });
    await api('post', `/v1/vms/${s.vms[0].id}/vcpus/0/pre-fault`, { gpa: '0x40100000', size: '0x200000', flags: 0 });
    await api('post', `/v1/labs/huge-pages/sessions/${s.sessionId}/tasks/3/prediction`, { level: '4K' });
    const quiz = await api('post', '/v1/quizzes', { topic: 'errno', seed: 7 });
    const key = (await api('get', `/v1/quizzes/${quiz.id}/answers`)).answers as { id: string; value: unknown }[];
    await api('post', `/v1/quizzes/${quiz.id}/submissions`, { student: 'grace', answers: {} });
    await api('post', `/v1/quizzes/${quiz.id}/submissions`, { student: 'grace', answers: Object.fromEntries(key.map((a) => [a.id, a.value])) });

    await page.goto(`${browser.url}/ui/teacher.html`);
    const row = page.locator('[data-testid="student"]', { hasText: 'grace' });
    await row.waitFor();
    const task1 = row.locator('.task').nth(0);
    expect(await task1.getAttribute('data-prediction')).toBe('wrong'); // 2M leaves, not 4K
    expect(await task1.textContent()).toBe('1\u2717');
    expect(await task1.getAttribute('title')).toMatch(/predicted \d{4}-\d\d-\d\dT[\s\S]*level: predicted 4K, kernel did 2M \(wrong\)/);
    expect(await row.locator('.task').nth(2).getAttribute('data-prediction')).toBe('pending');
    expect(await row.locator('.task').nth(1).getAttribute('data-prediction')).toBe('');
    expect(await row.locator('[data-testid="quiz"]').textContent()).toBe(
      `errno: best ${key.length}/${key.length}, first 0/${key.length}, 2 attempts`,
    );
    expect(errors).toEqual([]);
  });
});

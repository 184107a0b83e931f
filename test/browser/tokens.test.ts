// The pages on a server with tokens: a 401 asks for a token (a prompt that stays, not a
// toast), a teacher's token is kept apart from a student's with a log-out for each, the
// "Teacher" link shows only for a teacher token, and the teacher page's "open" link reads a
// student's session with the teacher token.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../src/service/token-hash.js';
import { axeViolations, eventually, haveChromium, missingChromium, settled, tid, useBrowser } from './harness.js';

missingChromium('test/browser/tokens.test.ts');

const ADA = 'ada-token-0123456789';
const BOB = 'bob-token-0123456789';
const TEACHER = 'teacher-token-0123456789';
const STUDENT_KEY = 'prefault-lab.token';
const TEACHER_KEY = 'prefault-lab.teacher-token';

describe.skipIf(!haveChromium)('tokens in the pages, in chromium', { timeout: 180_000 }, () => {
  const browser = useBrowser(undefined, { apiTokenHashes: [hashToken(ADA), hashToken(BOB)], teacherTokenHashes: [hashToken(TEACHER)] });

  const stored = (page: Page) =>
    page.evaluate((keys) => ({ student: localStorage.getItem(keys.student), teacher: localStorage.getItem(keys.teacher) }), {
      student: STUDENT_KEY,
      teacher: TEACHER_KEY,
    });
  const keep = (page: Page, key: string, value: string) => page.evaluate((kv) => localStorage.setItem(kv.key, kv.value), { key, value });

  async function pasteToken(page: Page, token: string, role: 'student' | 'teacher') {
    await tid(page, 'token-prompt-input').fill(token);
    await page.locator(`[data-testid="token-form"] input[value="${role}"]`).check();
    await Promise.all([page.waitForEvent('load'), tid(page, 'token-prompt-submit').click()]);
    await settled(page);
  }

  it('asks for a token on a 401, keeps a teacher token apart, and shows Teacher only for it', async () => {
    const { page, errors } = await browser.open();
    const prompt = tid(page, 'token-prompt');
    await eventually(() => prompt.isVisible()).toBe(true);
    expect(await tid(page, 'token-prompt-detail').textContent()).toMatch(/Authorization: Bearer/);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('token-prompt-input');
    // The prompt stays (a toast would be gone after a while) and is the only message.
    await page.waitForTimeout(9000);
    expect(await prompt.isVisible()).toBe(true);
    expect(await tid(page, 'error').isVisible()).toBe(false);
    expect(await tid(page, 'nav-teacher').isVisible()).toBe(false);
    expect(await axeViolations(page)).toEqual([]);

    await pasteToken(page, ADA, 'student');
    expect(await prompt.isVisible()).toBe(false);
    expect(await stored(page)).toEqual({ student: ADA, teacher: null });
    expect(await tid(page, 'logout-student').isVisible()).toBe(true);
    expect(await tid(page, 'teacher-signed-in').isVisible()).toBe(false);
    expect(await tid(page, 'nav-teacher').isVisible()).toBe(false);

    // A teacher token beside it: stored under its own key; the student's stays.
    await keep(page, TEACHER_KEY, TEACHER);
    await page.reload();
    await settled(page);
    expect(await stored(page)).toEqual({ student: ADA, teacher: TEACHER });
    await eventually(() => tid(page, 'nav-teacher').isVisible()).toBe(true);
    expect(await tid(page, 'teacher-signed-in').isVisible()).toBe(true);

    // A student token in the teacher's place is not a teacher: no link.
    await keep(page, TEACHER_KEY, BOB);
    await page.reload();
    await settled(page);
    expect(await tid(page, 'nav-teacher').isVisible()).toBe(false);

    // Each log-out drops its own token only.
    await keep(page, TEACHER_KEY, TEACHER);
    await page.reload();
    await settled(page);
    await Promise.all([page.waitForEvent('load'), tid(page, 'logout-teacher').click()]);
    await settled(page);
    expect(await stored(page)).toEqual({ student: ADA, teacher: null });
    expect(await tid(page, 'nav-teacher').isVisible()).toBe(false);
    await Promise.all([page.waitForEvent('load'), tid(page, 'logout-student').click()]);
    await settled(page);
    expect(await stored(page)).toEqual({ student: null, teacher: null });
    await eventually(() => prompt.isVisible()).toBe(true);

    // The prompt takes a teacher token too, into the teacher's key.
    await pasteToken(page, TEACHER, 'teacher');
    expect(await stored(page)).toEqual({ student: null, teacher: TEACHER });
    await eventually(() => tid(page, 'nav-teacher').isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  it("the teacher page keeps its own token, and its 'open' link reads a student's session with it", async () => {
    const { page, errors } = await browser.open();
    const res = await page.request.post(`${browser.url}/v1/labs/huge-pages/sessions`, {
      headers: { authorization: `Bearer ${ADA}` },
      data: { mode: 'guided', student: 'ada' },
    });
    expect(res.status()).toBe(201);
    const session = await res.json();
    // This browser is Bob's too: his token stays the viewer's.
    await keep(page, STUDENT_KEY, BOB);

    await page.goto(`${browser.url}/ui/teacher.html`);
    await settled(page);
    await eventually(() => tid(page, 'status').textContent()).toMatch(/paste your teacher token/);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('token');
    await tid(page, 'token').fill(TEACHER);
    await tid(page, 'token').dispatchEvent('change');
    await settled(page);
    await eventually(() => tid(page, 'status').textContent()).toMatch(/student\(s\)/);
    expect(await stored(page)).toEqual({ student: BOB, teacher: TEACHER });
    expect(await tid(page, 'logout').isVisible()).toBe(true);

    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/v1/')) sent.push(r.headers().authorization ?? '');
    });
    await tid(page, 'open-session').first().click();
    await page.waitForURL(/#\/labs\/huge-pages\/sessions\//);
    await settled(page);
    await eventually(() => tid(page, 'lab-task-1').isVisible()).toBe(true);
    expect(await tid(page, 'vm-select').inputValue()).toBe(session.vms[0].id);
    expect(await tid(page, 'token-prompt').isVisible()).toBe(false);
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent)).toEqual(new Set([`Bearer ${TEACHER}`]));

    // Back on the teacher page, Log out drops the teacher token only.
    await page.goto(`${browser.url}/ui/teacher.html`);
    await settled(page);
    await tid(page, 'logout').click();
    await settled(page);
    expect(await stored(page)).toEqual({ student: BOB, teacher: null });
    expect(await tid(page, 'token').inputValue()).toBe('');
    expect(errors).toEqual([]);
  });
});

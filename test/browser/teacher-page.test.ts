// The teacher page in chromium: the assignments with every student's grade, and Download CSV
// saving the same progress.csv the API serves.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { haveChromium, missingChromium, settled, tid, useBrowser } from './harness.js';

missingChromium('test/browser/teacher-page.test.ts');

describe.runIf(haveChromium)('the teacher page', () => {
  const browser = useBrowser();

  it('lists the assignments with each student grade, and downloads progress.csv', async () => {
    const { page, errors } = await browser.open();
    const api = async (path: string, data: object) => {
      const res = await page.request.post(`${browser.url}${path}`, { data });
      expect(res.status(), await res.text()).toBeLessThan(300);
      return res.json();
    };
    const lab = await api('/v1/assignments', { kind: 'lab', labId: 'huge-pages', mode: 'predict', title: 'Week 1: huge pages' });
    const quiz = await api('/v1/assignments', { kind: 'quiz', topic: 'errno', seed: 7, title: 'Errno quiz', attemptsCounted: 1 });
    const started = await api(`/v1/assignments/${lab.id}/start`, { student: 'ada' });
    await api(`/v1/assignments/${quiz.id}/submissions`, { student: 'ada', answers: {} });
    await api(`/v1/assignments/${quiz.id}/submissions`, { student: 'ada', answers: {} });

    await page.goto(`${browser.url}/ui/teacher.html`);
    await settled(page);
    const rows = tid(page, 'assignment');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(/^Week 1: huge pages lab huge-pages \(predict\)none/);
    expect(await rows.nth(0).locator('[data-testid="grade"]').textContent()).toBe('ada: 0/7');
    expect(await rows.nth(1).locator('[data-testid="grade"]').getAttribute('title')).toBe('2 attempt(s), 1 counted');

    const [download] = await Promise.all([page.waitForEvent('download'), tid(page, 'download-csv').click()]);
    expect(download.suggestedFilename()).toBe('progress.csv');
    const saved = readFileSync((await download.path())!, 'utf8');
    const served = await (await page.request.get(`${browser.url}/v1/teacher/progress.csv`)).text();
    expect(saved).toBe(served);
    expect(saved.split('\r\n')[1]).toMatch(new RegExp(`^ada,lab,huge-pages,.*,Week 1: huge pages,${lab.id},,,0$`));

    // The student's session opens on the lab page from the student's row.
    const session = page.locator('[data-testid="student"]', { hasText: 'ada' }).locator('[data-testid="session"]');
    await session.locator('[data-testid="open-session"]').click();
    await page.waitForURL(/#\/labs\/huge-pages\/sessions\//);
    await settled(page);
    expect(page.url()).toContain(`/#/labs/huge-pages/sessions/${started.session.sessionId}`);
    expect(await tid(page, 'vm-select').inputValue()).toBe(started.session.vms[0].id);
    expect(await tid(page, 'lab-task-1').isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });
});

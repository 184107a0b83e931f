// Accessibility, dark mode and small screens, in chromium: the strip works from the keyboard,
// colour is never the only signal, prefers-color-scheme: dark is honoured, nothing scrolls
// sideways at 390 px, and axe-core finds no serious or critical violation on the viewer, lab,
// side-by-side and teacher pages, in light and dark.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, eventually, haveChromium, missingChromium, settled, tid, useBrowser } from './harness.js';

missingChromium('test/browser/a11y.test.ts');

/** The relative luminance (0 black .. 1 white) of a computed CSS colour. */
const luminance = (rgb: string): number => {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
  return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
};

const background = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((el) => getComputedStyle(el).backgroundColor);

describe.skipIf(!haveChromium)('accessibility, dark mode and small screens, in chromium', { timeout: 300_000 }, () => {
  const browser = useBrowser();
  let labHash = '';
  let compareHash = '';

  async function api(page: Page, method: 'get' | 'post', path: string, data?: object) {
    const res = await page.request[method](`${browser.url}${path}`, data ? { data } : undefined);
    expect(res.status(), await res.text()).toBeLessThan(300);
    return res.json();
  }

  /** A lab session with a pre-fault done, a compare of its three designs, a teacher page with progress. */
  async function setUp(page: Page) {
    if (labHash) return;
    const s = await api(page, 'post', '/v1/labs/huge-pages/sessions', { student: 'a11y', mode: 'guided' });
    await api(page, 'post', `/v1/vms/${s.vms[0].id}/vcpus/0/pre-fault`, { gpa: '0x100000', size: '0x400000' });
    labHash = `#/labs/huge-pages/sessions/${s.sessionId}`;
    const designs = await api(page, 'post', '/v1/labs/three-designs/sessions', { student: 'a11y', mode: 'guided' });
    for (const vm of designs.vms) await api(page, 'post', `/v1/vms/${vm.id}/vcpus/1/pre-fault`, { gpa: '0x7f00000', size: '0x1000' });
    compareHash = `#/compare?vms=${designs.vms.map((v: { id: string }) => v.id).join(',')}`;
  }

  async function goto(page: Page, where: string) {
    await page.goto(where.startsWith('#') ? `${browser.url}/${where}` : `${browser.url}${where}`);
    await settled(page);
    if (where.startsWith('#/compare')) await eventually(() => page.locator('[data-testid="cmp-strip-0"]').count()).toBe(1);
    if (where.includes('teacher')) await eventually(() => tid(page, 'student').count()).toBeGreaterThan(0);
  }

  it('walks the strip from the keyboard: focus, arrow keys move a cursor, Enter walks', async () => {
    const { page, errors } = await browser.open();
    await setUp(page);
    await goto(page, labHash);
    await tid(page, 'fit-mappings').click();
    await settled(page);
    const strip = tid(page, 'strip');
    expect(await strip.getAttribute('tabindex')).toBe('0');
    expect(await strip.getAttribute('aria-label')).toMatch(/arrow keys/);
    await strip.focus();
    const cursor = tid(page, 'strip-cursor');
    await eventually(() => cursor.count()).toBe(1);
    const start = BigInt((await cursor.getAttribute('data-gpa'))!);
    await page.keyboard.press('ArrowRight');
    const next = BigInt((await cursor.getAttribute('data-gpa'))!);
    expect(next).toBeGreaterThan(start);
    expect(next % 0x1000n).toBe(0n);
    await page.keyboard.press('ArrowLeft');
    expect(BigInt((await cursor.getAttribute('data-gpa'))!)).toBe(start);

    // Walk right until the cursor is on a leaf: the slider's value text says which.
    for (let i = 0; i < 64 && !/leaf/.test((await strip.getAttribute('aria-valuetext')) ?? ''); i++) await page.keyboard.press('ArrowRight');
    expect(await strip.getAttribute('aria-valuetext')).toMatch(/^0x[0-9a-f]+: (4K|2M) ram leaf$/);
    expect(await tid(page, 'tooltip').textContent()).toMatch(/hostPfn/);
    const at = await cursor.getAttribute('data-gpa');
    await page.keyboard.press('Enter');
    await settled(page);
    await eventually(() => tid(page, 'walk-gpa').inputValue()).toBe(at);
    await eventually(() => tid(page, 'walk-steps').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('never uses colour alone: the legend, passed tasks, and differing values carry text or a mark', async () => {
    const { page, errors } = await browser.open();
    await setUp(page);
    await goto(page, '#/');
    const legend = await tid(page, 'legend').locator('li').allTextContents();
    expect(legend.map((t) => t.trim())).toEqual(
      expect.arrayContaining(['4K leaf', '2M leaf', '1G leaf', 'accessed (dark border)', 'new in last call (bar above)', 'private (hatched)']),
    );

    await goto(page, compareHash);
    const diff = page.locator('.cmp-cell.diff').first();
    expect(await diff.evaluate((el) => getComputedStyle(el, '::before').content)).toMatch(/\u2260/);

    await page.request.post(`${browser.url}/v1/labs/huge-pages/sessions/${labHash.split('/').pop()}/check`);
    await goto(page, '/ui/teacher.html');
    const passed = page.locator('.task.passed').first();
    await eventually(() => passed.count()).toBe(1);
    expect(await passed.evaluate((el) => getComputedStyle(el).textDecorationLine)).toBe('underline');
    expect(await passed.textContent()).toMatch(/passed$/);
    expect(errors).toEqual([]);
  });

  it('honours prefers-color-scheme: dark', async () => {
    const { page, errors } = await browser.open();
    await setUp(page);
    await goto(page, labHash);
    expect(luminance(await background(page, 'body'))).toBeGreaterThan(0.8);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(luminance(await background(page, 'body'))).toBeLessThan(0.15);
    expect(luminance(await background(page, '.content section'))).toBeLessThan(0.2);
    expect(luminance(await page.locator('body').evaluate((el) => getComputedStyle(el).color))).toBeGreaterThan(0.8);
    expect(luminance(await background(page, '.content button'))).toBeLessThan(0.2);
    await goto(page, '/ui/teacher.html');
    expect(luminance(await background(page, 'body'))).toBeLessThan(0.15);
    expect(errors).toEqual([]);
  });

  it('has no horizontal scrolling at 390 px', async () => {
    const { page, errors } = await browser.open();
    await setUp(page);
    await page.setViewportSize({ width: 390, height: 844 });
    for (const where of ['#/', labHash, compareHash, '/ui/teacher.html']) {
      await goto(page, where);
      const widths = await page.evaluate(() => {
        const client = document.documentElement.clientWidth;
        // What sticks out, to name it when it fails.
        const wide = [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > client + 0.5)
          .slice(0, 8)
          .map(
            (el) =>
              `${el.tagName.toLowerCase()}.${el.className}[${el.getAttribute('data-testid') ?? ''}] in ${el.parentElement?.className} "${el.textContent?.slice(0, 30)}"`,
          );
        return { scroll: document.documentElement.scrollWidth, client, wide };
      });
      expect(widths.scroll, `${where}: ${widths.wide.join(', ')}`).toBeLessThanOrEqual(widths.client);
    }
    expect(errors).toEqual([]);
  });

  it('axe-core finds no serious or critical violation on the viewer, lab, side-by-side and teacher pages, light and dark', async () => {
    const { page, errors } = await browser.open();
    await setUp(page);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const where of ['#/', labHash, compareHash, '/ui/teacher.html']) {
        await goto(page, where);
        // The forms to create a VM are folded once there are VMs: open them, so they are checked too.
        if (where === '#/' && (await tid(page, 'create-details').count())) await tid(page, 'create-details').locator('summary').click();
        expect(await axeViolations(page), `${scheme} ${where}`).toEqual([]);
      }
    }
    expect(errors).toEqual([]);
  });
});

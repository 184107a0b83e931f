// The viewer in a real browser (Debian's chromium through playwright-core): start a lab,
// pre-fault through the form a range that needs both 2M and 4K leaves, and see both
// appear in the strip as new leaves. Screenshot: docs/ui.png (UPDATE_SCREENSHOT=1).
import { describe, expect, it } from 'vitest';
import { eventually, haveChromium, missingChromium, screenshotPath, settled, useBrowser } from './harness.js';

missingChromium('test/browser/ui.test.ts');

describe.skipIf(!haveChromium)('the page-table viewer in chromium', { timeout: 180_000 }, () => {
  const browser = useBrowser();

  it('starts a lab, pre-faults through the form, and draws new 2M and 4K leaves', async () => {
    const { page, errors } = await browser.open();
    await page.locator('[data-testid="lab-start-huge-pages"]').click();
    await eventually(() => page.locator('[data-testid="lab-task-2"]').count()).toBe(1);
    await eventually(() => page.locator('[data-testid="vcpu-0"]').count()).toBe(1);
    expect(await page.locator('[data-testid="strip"] rect[data-level]').count()).toBe(0);

    // Slot 2 starts 1M into a 2M page: 256 x 4K, one 2M, 256 x 4K.
    const form = page.locator('[data-testid="prefault-form"]');
    await form.locator('[data-testid="prefault-vcpu"]').selectOption('0');
    await form.locator('[data-testid="prefault-gpa"]').fill('0x100000');
    await form.locator('[data-testid="prefault-size"]').fill('0x400000');
    await form.locator('[data-testid="prefault-submit"]').click();

    await eventually(() => page.locator('[data-testid="trace-row"]').count()).toBe(3);
    // The strip redraws after the trace (it refetches roots and mappings first).
    const strip = page.locator('[data-testid="strip"]');
    await eventually(() => strip.locator('rect[data-level="2M"][data-new="true"]').count()).toBeGreaterThanOrEqual(1);
    await eventually(() => strip.locator('rect[data-level="4K"][data-new="true"]').count()).toBeGreaterThanOrEqual(2);
    expect(await strip.locator('rect[data-level="2M"]').first().getAttribute('data-gpa')).toBe('0x200000');
    await eventually(() => page.locator('[data-testid="call-result"]').textContent()).toMatch(/ret 0/);

    // Hovering a leaf shows its bits and host pfn.
    await strip.locator('rect[data-level="2M"]').first().hover();
    await eventually(() => page.locator('[data-testid="tooltip"]').textContent()).toMatch(/hostPfn 0x[0-9a-f]+/);

    // The server grades the session: task 2 (the misaligned slot) now passes.
    await page.locator('[data-testid="lab-check"]').click();
    await eventually(() => page.locator('[data-testid="lab-task-2"]').getAttribute('data-passed')).toBe('true');
    expect(await page.locator('[data-testid="lab-task-1"]').getAttribute('data-passed')).toBe('false');

    // The operation log shows the pre-fault, newest first.
    await eventually(() => page.locator('[data-testid="oplog-row"]').first().textContent()).toMatch(/pre_fault, vCPU 0, gpa 0x100000, size 0x400000/);

    // The page names its icon, and the server hands it out.
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    const res = await page.request.get(`${browser.url}${icon}`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toMatch(/^image\/svg\+xml/);

    await page.mouse.move(0, 0);
    await page.screenshot({ path: screenshotPath('ui'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('shows the KVM trace of a logged pre-fault from the operation log', async () => {
    const { page, errors } = await browser.open();
    await page.locator('[data-testid="lab-start-huge-pages"]').click();
    await eventually(() => page.url()).toMatch(/#\/labs\/huge-pages\/sessions\//);
    await settled(page);
    await page.locator('[data-testid="prefault-gpa"]').fill('0x40000000');
    await page.locator('[data-testid="prefault-size"]').fill('0x200000');
    await page.locator('[data-testid="prefault-submit"]').click();
    await settled(page);
    const seq = await page.locator('[data-testid="oplog-row"]').first().getAttribute('data-seq');
    // Only pre-faults and accesses have a trace; set-up rows offer none.
    expect(await page.locator('[data-testid="oplog-row"]').last().locator('button').count()).toBe(0);
    // A slow answer: the box must not show (empty) before the trace is there.
    await page.route('**/operations/*/trace', async (route) => {
      await new Promise((r) => setTimeout(r, 500));
      await route.continue();
    });
    await page.locator(`[data-testid="trace-${seq}"]`).click();
    await eventually(() => page.locator('[data-testid="trace-text"]').isVisible()).toBe(true);
    expect(await page.locator('[data-testid="trace-text"]').textContent()).toMatch(new RegExp(`^# trace of operation ${seq}\n`));
    expect(errors).toEqual([]);
  });
});

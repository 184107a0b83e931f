// The viewer in a real browser (Debian's chromium through playwright-core): start a lab,
// pre-fault through the form a range that needs both 2M and 4K leaves, and see both
// appear in the strip as new leaves. Leaves a screenshot in the temp dir, or in docs/ui.png
// (the README's picture) with UPDATE_SCREENSHOT=1.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, removeTempDirs, type TestApp } from '../helpers/build.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];
const SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1' ? resolve(import.meta.dirname, '../../docs/ui.png') : resolve(tmpdir(), 'prefault-lab-ui.png');
const haveChromium = existsSync(CHROMIUM);

if (!haveChromium) console.warn(`test/browser/ui.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

describe.skipIf(!haveChromium)('the page-table viewer in chromium', () => {
  let server: TestApp;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let url: string;

  beforeAll(async () => {
    server = await build();
    url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    profile = mkdtempSync(join(tmpdir(), 'prefault-lab-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1400, height: 1100 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    removeTempDirs();
  });

  it('starts a lab, pre-faults through the form, and draws new 2M and 4K leaves', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/`);
    await page.locator('[data-testid="lab-start-huge-pages"]').click();
    await expect.poll(() => page.locator('[data-testid="lab-task-2"]').count()).toBe(1);
    await expect.poll(() => page.locator('[data-testid="vcpu-0"]').count()).toBe(1);
    expect(await page.locator('[data-testid="strip"] rect[data-level]').count()).toBe(0);

    // Slot 2 starts 1M into a 2M page: 256 x 4K, one 2M, 256 x 4K.
    const form = page.locator('[data-testid="prefault-form"]');
    await form.locator('[data-testid="prefault-vcpu"]').selectOption('0');
    await form.locator('[data-testid="prefault-gpa"]').fill('0x100000');
    await form.locator('[data-testid="prefault-size"]').fill('0x400000');
    await form.locator('[data-testid="prefault-submit"]').click();

    await expect.poll(() => page.locator('[data-testid="trace-row"]').count()).toBe(3);
    // The strip redraws after the trace (it refetches roots and mappings first).
    const strip = page.locator('[data-testid="strip"]');
    await expect.poll(() => strip.locator('rect[data-level="2M"][data-new="true"]').count()).toBeGreaterThanOrEqual(1);
    await expect.poll(() => strip.locator('rect[data-level="4K"][data-new="true"]').count()).toBeGreaterThanOrEqual(2);
    expect(await strip.locator('rect[data-level="2M"]').first().getAttribute('data-gpa')).toBe('0x200000');
    await expect.poll(() => page.locator('[data-testid="call-result"]').textContent()).toMatch(/ret 0/);

    // Hovering a leaf shows its bits and host pfn.
    await strip.locator('rect[data-level="2M"]').first().hover();
    await expect.poll(() => page.locator('[data-testid="tooltip"]').textContent()).toMatch(/hostPfn 0x[0-9a-f]+/);

    // The server grades the session: task 2 (the misaligned slot) now passes.
    await page.locator('[data-testid="lab-check"]').click();
    await expect.poll(() => page.locator('[data-testid="lab-task-2"]').getAttribute('data-passed')).toBe('true');
    expect(await page.locator('[data-testid="lab-task-1"]').getAttribute('data-passed')).toBe('false');

    mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(errors).toEqual([]);
  });
});

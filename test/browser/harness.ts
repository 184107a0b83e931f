// Shared set-up of the browser tests: the app on a random port (fresh temp database) and
// Debian's chromium through playwright-core. Screenshots go to the temp dir, or to docs/
// (the pictures in docs/) with UPDATE_SCREENSHOT=1.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { build, removeTempDirs, type TestApp } from '../helpers/build.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export const haveChromium = existsSync(CHROMIUM);
export const missingChromium = (file: string): void => {
  if (!haveChromium) console.warn(`${file} skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
};

/** Where a named screenshot goes: docs/<name>.png when updating the pictures. */
export function screenshotPath(name: string): string {
  const path =
    process.env.UPDATE_SCREENSHOT === '1' ? resolve(import.meta.dirname, '../../docs', `${name}.png`) : resolve(tmpdir(), `prefault-lab-${name}.png`);
  mkdirSync(resolve(path, '..'), { recursive: true });
  return path;
}

export interface Browser {
  server: TestApp;
  url: string;
  /** A fresh tab on a clean slate (no remembered sessions), at `hash`, page errors collected. */
  open(hash?: string): Promise<{ page: Page; errors: string[] }>;
}

/** Registers beforeAll/afterAll that start the app (built with `options`) and chromium for one test file. */
export function useBrowser(viewport = { width: 1400, height: 1100 }, options: Parameters<typeof build>[0] = {}): Browser {
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  const b = {} as Browser;
  beforeAll(async () => {
    b.server = await build(options);
    b.url = await b.server.app.listen({ host: '127.0.0.1', port: 0 });
    profile = mkdtempSync(join(tmpdir(), 'prefault-lab-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport });
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await b.server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    removeTempDirs();
  });
  b.open = async (hash = '#/') => {
    const page = await context!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${b.url}/`);
    await page.evaluate(() => localStorage.clear());
    await page.goto(`${b.url}/${hash}`);
    await page.waitForSelector('body[data-ready="true"]');
    return { page, errors };
  };
  return b;
}

/** Waits until the app finished the route or call it is in (body[data-ready] is set back). */
export const settled = (page: Page) => page.waitForSelector('body[data-ready="true"]');

/** The element with this data-testid. */
export const tid = (page: Page, id: string): Locator => page.locator(`[data-testid="${id}"]`);

/**
 * expect.poll with room for a loaded machine (the default gives up after 1 s): for what the
 * page settles into after an action.
 */
export const eventually = <T>(fn: () => Promise<T> | T, options: { timeout?: number } = {}) => expect.poll(fn, { timeout: 20_000, ...options });

const require = createRequire(import.meta.url);
/** axe-core's browser bundle, injected into a page to check it. */
const AXE = require.resolve('axe-core/axe.min.js');

interface Violation {
  id: string;
  impact: string;
  nodes: string[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function axeViolations(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    type Found = { id: string; impact?: string; nodes: Array<{ target: string[] }> };
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: Found[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? '',
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
      }));
  });
}

// The walk on screen, in chromium: after a pre-fault that installs 4K, 2M, 4K leaves (the
// huge-pages lab's misaligned slot 2), typing 0x200000 walks PML4 -> PDPT -> PD and stops at
// a 2M leaf; zooming the strip shows the 4K leaves as cells, and clicking one walks down
// to its PT entry. Indexes are the GPA's 9-bit fields, worked out by hand below.
// Screenshots: docs/walk-2m.png, docs/walk-4k.png (UPDATE_SCREENSHOT=1).
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventually, haveChromium, missingChromium, screenshotPath, settled, tid, useBrowser } from './harness.js';

missingChromium('test/browser/walk.test.ts');

/** Screenshot of everything from the top of `from` to the bottom of `to`. */
async function shotBetween(page: Page, from: Locator, to: Locator, name: string): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  const x = Math.min(a.x, b.x);
  await page.screenshot({
    path: screenshotPath(name),
    fullPage: true,
    clip: { x, y: a.y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: b.y + b.height - a.y },
  });
}

describe.skipIf(!haveChromium)('the walk panel and the strip in chromium', { timeout: 180_000 }, () => {
  const browser = useBrowser();

  it('walks a 2M leaf and a 4K leaf level by level, with the tables as a tree', async () => {
    const { page, errors } = await browser.open();
    await page.locator('[data-testid="lab-start-huge-pages"]').click();
    await eventually(() => tid(page, 'vcpu-0').count()).toBe(1);
    await settled(page);
    await tid(page, 'prefault-gpa').fill('0x100000');
    await tid(page, 'prefault-size').fill('0x400000');
    await tid(page, 'prefault-submit').click();
    await eventually(() => page.locator('[data-testid="trace-row"]').count()).toBe(3);

    // 0x200000: PML4 index bits 47:39 = 0, PDPT 38:30 = 0, PD 29:21 = 1, a 2M leaf there.
    await tid(page, 'walk-gpa').fill('0x200000');
    await tid(page, 'walk-submit').click();
    await eventually(() => tid(page, 'walk-step-2').getAttribute('data-leaf')).toBe('true');
    expect(await tid(page, 'walk-step-4').textContent()).toContain('PML4[0]');
    expect(await tid(page, 'walk-step-3').textContent()).toContain('PDPT[0]');
    expect(await tid(page, 'walk-step-2').textContent()).toContain('PD[1]');
    expect(await tid(page, 'walk-step-1').count()).toBe(0);
    expect(await tid(page, 'walk-step-2').locator('[data-testid="walk-outcome"]').textContent()).toMatch(/leaf: maps a 2M page/);
    // The huge leaf carries the page-size bit (bit 7); the table entries above do not.
    expect(await tid(page, 'walk-step-2').locator('[data-bit="PS"]').getAttribute('data-set')).toBe('true');
    expect(await tid(page, 'walk-step-3').locator('[data-bit="PS"]').getAttribute('data-set')).toBe('false');
    expect(await tid(page, 'walk-summary').textContent()).toMatch(/leaf 2M \(EPT layout\)/);
    // The offset inside a 2M page is bits 20:0.
    expect(await tid(page, 'walk-gpa-split').locator('.offset').textContent()).toContain('0x0');

    // The tree: 4K leaves in [1M, 2M) and [4M, 5M) sit in two PTs, the 2M leaf in PD 0.
    await eventually(() => tid(page, 'table-PT-0x0').textContent()).toMatch(/256 x 4K/);
    expect(await tid(page, 'table-PT-0x400000').textContent()).toMatch(/256 x 4K/);
    expect(await tid(page, 'table-PD-0x0').textContent()).toMatch(/1 x 2M/);
    await shotBetween(page, tid(page, 'walk-panel'), tid(page, 'walk-panel'), 'walk-2m');

    // Ticks on a 16M span fall on 2M boundaries.
    await tid(page, 'zoom-from').fill('0x0');
    await tid(page, 'zoom-to').fill('0x1000000');
    await page.locator('[data-testid="zoom-form"] button[type="submit"]').click();
    await eventually(() => tid(page, 'strip-summary').textContent()).toMatch(/\[0x0, 0x1000000\)/);
    const ticks16m = await tid(page, 'strip')
      .locator('[data-testid="tick"]')
      .evaluateAll((ts) => ts.map((t) => BigInt(t.getAttribute('data-gpa')!)));
    expect(ticks16m.length).toBeGreaterThanOrEqual(5);
    for (const t of ticks16m) expect(t % 0x200000n).toBe(0n);

    // Zoomed to 16 pages, the coalesced 4K row becomes 16 cells; ticks stay on 8K multiples.
    await tid(page, 'zoom-from').fill('0x100000');
    await tid(page, 'zoom-to').fill('0x110000');
    await page.locator('[data-testid="zoom-form"] button[type="submit"]').click();
    const cells = tid(page, 'strip').locator('rect[data-level="4K"][data-cell="true"]');
    await eventually(() => cells.count()).toBe(16);
    const ticks = await tid(page, 'strip')
      .locator('[data-testid="tick"]')
      .evaluateAll((ts) => ts.map((t) => BigInt(t.getAttribute('data-gpa')!)));
    expect(ticks[0]).toBe(0x100000n);
    expect(ticks.at(-1)).toBe(0x110000n);
    for (const t of ticks) expect(t % 0x2000n).toBe(0n);

    // Clicking the last cell walks 0x10f000: PD index 0, PT index bits 20:12 = 0x10f = 271.
    await tid(page, 'strip').locator('rect[data-gpa="0x10f000"]').click();
    await eventually(() => tid(page, 'walk-gpa').inputValue()).toBe('0x10f000');
    await eventually(() => tid(page, 'walk-step-1').getAttribute('data-leaf')).toBe('true');
    expect(await tid(page, 'walk-step-2').textContent()).toContain('PD[0]');
    expect(await tid(page, 'walk-step-2').getAttribute('data-leaf')).toBe('false');
    expect(await tid(page, 'walk-step-1').textContent()).toContain('PT[271]');
    expect(await tid(page, 'walk-step-1').locator('[data-testid="walk-outcome"]').textContent()).toMatch(/leaf: maps a 4K page/);
    await page.mouse.move(0, 0); // no tooltip in the picture
    await shotBetween(page, page.locator('section:has([data-testid="strip"])'), tid(page, 'walk-panel'), 'walk-4k');

    // An address no slot covers: the walk stops at the first entry that is not present.
    await tid(page, 'walk-gpa').fill('0x40000000');
    await tid(page, 'walk-submit').click();
    await eventually(() => tid(page, 'walk-step-3').getAttribute('data-present')).toBe('false');
    expect(await tid(page, 'walk-step-3').locator('[data-testid="walk-outcome"]').textContent()).toMatch(/not present/);
    expect(errors).toEqual([]);
  });

  it('decodes SPTE bits per vendor layout, hardware and KVM software bits alike', async () => {
    const { page } = await browser.open();
    // Values assembled by hand from arch/x86/kvm/mmu/spte.h (kvm-x86 tree): EPT R/W/X = bits
    // 0-2, PS 7, A 8, D 9; SPTE_MMU_PRESENT_MASK bit 11; SPTE_TDP_AD_DISABLED 1 << 52; saved
    // R/X at SHADOW_ACC_TRACK_SAVED_BITS_SHIFT 54 (R) and 56 (X); EPT_SPTE_HOST_WRITABLE 57,
    // EPT_SPTE_MMU_WRITABLE 58. NPT: P 0, RW 1, US 2, A 5, D 6, NX 63, host-/MMU-writable
    // DEFAULT_SPTE_* bits 9 and 10.
    // A string, so the test runner's transform leaves the page's dynamic import alone.
    const setBits = (spte: string, vendor: string, leaf: boolean, level: number): Promise<{ set: string[]; pfn: string; mmio: boolean }> =>
      page.evaluate(`(async () => {
        const m = await import('/ui/spte.js');
        const d = m.decodeSpte(${JSON.stringify(spte)}, ${JSON.stringify({ vendor, leaf, level })});
        return { set: d.fields.filter((f) => f.set).map((f) => f.name + '=' + f.value), pfn: '0x' + d.pfn.toString(16), mmio: d.mmio };
      })()`);
    const eptLeaf = (0x1234n << 12n) | 0x7n | (1n << 8n) | (1n << 9n) | (1n << 11n) | (1n << 57n) | (1n << 58n);
    expect(await setBits(`0x${eptLeaf.toString(16)}`, 'intel', true, 1)).toEqual({
      set: ['R=1', 'W=1', 'X=1', 'A=1', 'D=1', 'MMU-present=1', 'host-writable=1', 'MMU-writable=1'],
      pfn: '0x1234',
      mmio: false,
    });
    // Access-tracked (A/D disabled): R and X cleared and saved, W cleared, the A/D type says so.
    const tracked = (0x1234n << 12n) | (1n << 11n) | (1n << 52n) | (1n << 54n) | (1n << 56n) | (1n << 57n);
    expect((await setBits(`0x${tracked.toString(16)}`, 'intel', true, 1)).set).toEqual([
      'MMU-present=1',
      'A/D type=disabled',
      'saved R=1',
      'saved X=1',
      'host-writable=1',
    ]);
    const npt2m = (0x200n << 12n) | 0x67n | (1n << 7n) | (1n << 9n) | (1n << 10n) | (1n << 11n) | (1n << 63n);
    expect(await setBits(`0x${npt2m.toString(16)}`, 'amd', true, 2)).toEqual({
      set: ['P=1', 'RW=1', 'US=1', 'A=1', 'D=1', 'PS=1', 'NX=1', 'host-writable=1', 'MMU-writable=1', 'MMU-present=1'],
      pfn: '0x200',
      mmio: false,
    });
    // EPT MMIO: W+X without R (a misconfiguration), generation 5 in bits 3..10.
    expect((await setBits(`0x${((5n << 3n) | 0x6n).toString(16)}`, 'intel', true, 1)).mmio).toBe(true);
  });
});

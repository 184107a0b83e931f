// Side by side in chromium: the three-designs lab's VMs in three columns, one pre-fault of
// SMRAM sent to all three for the SMM vCPU (vCPU 1), and the rows where the designs differ
// highlighted. Expected outcomes are the lab's own statement of the debate (labs/05):
// upstream maps into the SMM root from the AS1 slot, switch-root-mmu into the normal root,
// reject-smm-guest-mode answers EOPNOTSUPP without a root.
// Screenshot: docs/side-by-side.png (UPDATE_SCREENSHOT=1).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventually, haveChromium, missingChromium, screenshotPath, settled, tid, useBrowser } from './harness.js';

missingChromium('test/browser/compare.test.ts');

const cells = (page: Page, row: string): Promise<string[]> => tid(page, row).locator('.cmp-cell').allTextContents();

describe.skipIf(!haveChromium)('side by side in chromium', { timeout: 180_000 }, () => {
  const browser = useBrowser({ width: 1400, height: 900 });

  it('sends one SMM pre-fault to the three designs and highlights what differs', async () => {
    const { page, errors } = await browser.open();
    await page.locator('[data-testid="lab-start-three-designs"]').click();
    await eventually(() => tid(page, 'lab-compare').count()).toBe(1);
    await settled(page);
    await tid(page, 'lab-compare').click();
    await eventually(() => page.locator('[data-testid^="cmp-head-"]').count()).toBe(3);
    await settled(page);
    expect(page.url()).toMatch(/#\/compare\?vms=[0-9a-f-]+,[0-9a-f-]+,[0-9a-f-]+$/);

    // Columns are named by the VMs' roles in the lab, and only the policy differs.
    const heads = await page.locator('[data-testid^="cmp-head-"] strong').allTextContents();
    expect(heads[0]).toBe('upstream');
    expect(heads[1]).toMatch(/^switch/);
    expect(heads[2]).toMatch(/^reject/);
    expect(await tid(page, 'cmp-policy').getAttribute('data-differs')).toBe('true');
    expect(await cells(page, 'cmp-policy')).toEqual(['upstream', 'switch-root-mmu', 'reject-smm-guest-mode']);
    expect(await tid(page, 'cmp-kernel').getAttribute('data-differs')).toBe('false');

    await tid(page, 'compare-vcpu').selectOption('1');
    expect(await cells(page, 'cmp-vcpu-mode')).toEqual(['SMM, tdp', 'SMM, tdp', 'SMM, tdp']);
    await tid(page, 'compare-gpa').fill('0x7f00000');
    await tid(page, 'compare-size').fill('0x4000');
    await tid(page, 'compare-submit').click();
    await eventually(() => tid(page, 'cmp-ret').count()).toBe(1);

    expect(await tid(page, 'cmp-ret').getAttribute('data-differs')).toBe('true');
    expect(await cells(page, 'cmp-ret')).toEqual(['0', '0', '-95 EOPNOTSUPP']);
    expect(await cells(page, 'cmp-root')).toEqual(['L4 smm1 gm0 as1', 'L4 smm0 gm0 as0', 'null (no root)']);
    expect(await cells(page, 'cmp-mapped')).toEqual(['4 x 4K at 0x7f00000', '4 x 4K at 0x7f00000', 'nothing']);
    expect(await tid(page, 'cmp-ret').locator('.cmp-cell.diff').count()).toBe(3);

    // Each column's strip draws the root its call used, over the same range.
    await eventually(() => tid(page, 'cmp-strip-0').locator('rect[data-level="4K"]').count()).toBe(4);
    expect(await tid(page, 'cmp-strip-1').locator('rect[data-level="4K"]').count()).toBe(4);
    expect(await tid(page, 'cmp-strip-2').locator('rect[data-level]').count()).toBe(0);
    const ranges = await page.locator('[data-testid^="cmp-strip-"] + .axis span:first-child').allTextContents();
    expect(new Set(ranges).size).toBe(1);

    await page.screenshot({ path: screenshotPath('side-by-side'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('compares EPT with NPT: the same 4K leaf, each SPTE in its vendor layout', async () => {
    // Two VMs that differ only in the host vendor, made through the public API.
    const ids: string[] = [];
    for (const vendor of ['intel', 'amd']) {
      const vm = await browser.server.api
        .post('/v1/vms')
        .send({ name: `${vendor}-vm`, host: { vendor } })
        .expect(201);
      await browser.server.api.put(`/v1/vms/${vm.body.id}/memslots/0/0`).send({ guestPhysAddr: '0x0', size: '0x400000' }).expect(200);
      await browser.server.api.post(`/v1/vms/${vm.body.id}/vcpus`).send({ id: 0 }).expect(201);
      ids.push(vm.body.id as string);
    }
    const { page, errors } = await browser.open(`#/compare?vms=${ids.join(',')}`);
    expect(await cells(page, 'cmp-host')).toEqual(['intel EPT L4', 'amd NPT L4']);
    expect(await tid(page, 'cmp-policy').getAttribute('data-differs')).toBe('false');
    await tid(page, 'compare-gpa').fill('0x3000');
    await tid(page, 'compare-size').fill('0x1000');
    await tid(page, 'compare-submit').click();
    await settled(page);
    // Same answer from both MMUs ...
    expect(await tid(page, 'cmp-ret').getAttribute('data-differs')).toBe('false');
    expect(await cells(page, 'cmp-mapped')).toEqual(['1 x 4K at 0x3000', '1 x 4K at 0x3000']);
    // ... but the leaf is laid out per vendor: EPT R/W/X (bits 0-2), NPT P/RW/US (bits 0-2)
    // with NX clear for an executable page.
    expect(await tid(page, 'cmp-leaf').getAttribute('data-differs')).toBe('true');
    const [ept, npt] = await cells(page, 'cmp-leaf');
    expect(ept).toMatch(/^4K 0x[0-9a-f]+ \[R W X\b/);
    expect(npt).toMatch(/^4K 0x[0-9a-f]+ \[P RW US\b/);
    expect(npt).not.toMatch(/\bNX\b/);
    expect(errors).toEqual([]);
  });
});

// arm64 and s390 VMs in the viewer, in chromium: each in its own terms. An arm64 VM built
// with the create forms' presets (4K granule, a vEL2 vCPU that last ran nested) has its
// stage-2 geometry in the header, and its pre-fault lands in the canonical stage-2, walked
// L1 -> L2 to a 2M block decoded bit by bit; a 64K-granule VM's strip (its dashed guides
// too), legend and roots table speak 64K/512M; an s390 VM's walk goes region-3 -> segment -> page table. Then x86
// beside arm64 for the same nested question. Indexes are worked out by hand below.
// Screenshots: docs/walk-arm64.png, docs/compare-x86-arm64.png (UPDATE_SCREENSHOT=1).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, eventually, haveChromium, missingChromium, screenshotPath, settled, tid, useBrowser } from './harness.js';

missingChromium('test/browser/arches.test.ts');

const texts = async (page: Page, ids: string[]) => Promise.all(ids.map((id) => tid(page, id).textContent()));
const legend = async (page: Page) =>
  Promise.all(
    [0, 1, 2].map(async (i) =>
      (await tid(page, `legend-leaf-${i}`).isVisible()) ? (await tid(page, `legend-leaf-${i}`).textContent())!.trim() : null,
    ),
  );
const cells = (page: Page, row: string): Promise<string[]> => tid(page, row).locator('.cmp-cell').allTextContents();

describe.skipIf(!haveChromium)('arm64 and s390 VMs in chromium', { timeout: 180_000 }, () => {
  const browser = useBrowser();

  async function pick(page: Page, form: string, label: string) {
    const option = tid(page, `${form}-preset`).locator('option', { hasText: label });
    await tid(page, `${form}-preset`).selectOption({ value: (await option.getAttribute('value'))! });
  }

  async function submit(page: Page, form: string, note: RegExp) {
    await tid(page, `${form}-create`).click();
    await settled(page);
    await eventually(() => tid(page, `${form}-form-note`).textContent()).toMatch(note);
  }

  async function prefault(page: Page, vcpu: string, gpa: string, size: string) {
    await tid(page, 'prefault-vcpu').selectOption(vcpu);
    await tid(page, 'prefault-gpa').fill(gpa);
    await tid(page, 'prefault-size').fill(size);
    await tid(page, 'prefault-submit').click();
    await settled(page);
  }

  async function walk(page: Page, gpa: string) {
    await tid(page, 'walk-gpa').fill(gpa);
    await tid(page, 'walk-submit').click();
    await settled(page);
  }

  it('builds an arm64 VM from the presets and walks its canonical stage-2 in arm64 terms', async () => {
    const { page, errors } = await browser.open();
    await tid(page, 'create-details').evaluate((d) => ((d as HTMLDetailsElement).open = true));
    await pick(page, 'vm', 'arm64 VM: 4K granule');
    await submit(page, 'vm', /Created VM arm64-4k/);
    expect(await tid(page, 'vm-info').textContent()).toBe(
      'default, kernel 7.4, arm64 stage-2: 4K granule, IPA 40 bits, 3 levels from level 1 (2 concatenated tables), pKVM off, nested on, preFaultAllowed true',
    );
    await pick(page, 'memslot', "the labs' RAM");
    await submit(page, 'memslot', /Slot 0\/0: 0x0 \+ 0x8000000/);
    await pick(page, 'vcpu', 'arm64 vCPU 1 at vEL2 that last ran nested');
    await submit(page, 'vcpu', /Created vCPU 1/);
    // The vCPU runs on the nested stage-2 ...
    expect(await tid(page, 'vcpu-1').locator('td').allTextContents()).toEqual(['1', '-', 'last ran nested (L2)', 's2-nested', '-', 's2-1']);

    // ... but its pre-fault maps the L1 IPA into the canonical stage-2, a 2M block (2M THP).
    await prefault(page, '1', '0x200000', '0x200000');
    await eventually(() => tid(page, 'strip-root').textContent()).toBe('s2-0 (s2-canonical from L1)');
    expect(await tid(page, 'root-s2-0').locator('td').allTextContents()).toEqual(['s2-0', '3', '0', '0', '0', '0', '-', '0', '1', '0', '0', '3']);
    expect((await tid(page, 'root-s2-1').locator('td').allTextContents()).slice(6, 10)).toEqual(['1', '0', '0', '0']);
    expect(await texts(page, ['roots-leaf-0', 'roots-leaf-1', 'roots-leaf-2'])).toEqual(['4K', '2M', '1G']);
    expect(await legend(page)).toEqual(['4K leaf', '2M leaf', '1G leaf']);
    expect(await tid(page, 'legend-guide').textContent()).toBe('2M boundary (dashed)');
    expect(await tid(page, 'strip').locator('rect[data-level="2M"]').getAttribute('fill')).toBe('var(--l2m)');

    // 0x201000: lookup level 1 takes bits 39:30 (two concatenated tables) = 0, level 2 bits
    // 29:21 = 1, a block there; the offset is bits 20:0 = 0x1000 (level 3's bits 20:12 = 1, unused).
    await walk(page, '0x201000');
    await eventually(() => tid(page, 'walk-summary').textContent()).toBe('root s2-0, gpa 0x201000: leaf 2M (arm64 stage-2 descriptor layout)');
    expect(await tid(page, 'walk-step-3').locator('strong').textContent()).toBe('L1[0]');
    expect(await tid(page, 'walk-step-3').textContent()).toContain('gpa bits 38:30; the entry covers 0x0 + 1G');
    expect(await tid(page, 'walk-step-2').locator('strong').textContent()).toBe('L2[1]');
    expect(await tid(page, 'walk-step-2').getAttribute('data-leaf')).toBe('true');
    const split = tid(page, 'walk-gpa-split').locator('.gpa-part');
    expect(await split.allTextContents()).toEqual(['L10', 'L21', 'L31', 'offset0x1000']);
    expect(await split.nth(2).getAttribute('class')).toBe('gpa-part unused');
    expect(await split.first().getAttribute('title')).toBe('bits 39:30');
    const bit = (name: string) => tid(page, 'walk-step-2').locator(`[data-bit="${name}"]`).getAttribute('data-set');
    expect(await Promise.all(['valid', 'type', 'S2AP R', 'S2AP W', 'AF', 'XN'].map(bit))).toEqual(['true', 'false', 'true', 'true', 'true', 'true']);
    expect(await tid(page, 'walk-step-2').locator('[data-bit="MemAttr"]').textContent()).toBe('MemAttr=6');
    await tid(page, 'walk-panel').screenshot({ path: screenshotPath('walk-arm64') });
    // The tables tree in lookup levels: the root (two concatenated level-1 tables, 1 TiB) and
    // the level-2 table of the block.
    expect(await tid(page, 'table-L1-0x0').textContent()).toBe('L1 (root) 0x0..0x10000000000');
    expect(await tid(page, 'table-L2-0x0').textContent()).toBe('L2[0] 0x0..0x40000000: 1 x 2M');

    expect(await axeViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows a 64K-granule VM with 64K/512M leaves in the strip, legend, roots and walk', async () => {
    const vm = await browser.server.api
      .post('/v1/vms')
      .send({ name: 'arm64-64k-api', arch: 'arm64', host: { granule: '64K' } })
      .expect(201);
    await browser.server.api
      .put(`/v1/vms/${vm.body.id}/memslots/0/0`)
      .send({ guestPhysAddr: '0x0', size: '0x40000000', backing: { pageSize: '512M' } })
      .expect(200);
    await browser.server.api.post(`/v1/vms/${vm.body.id}/vcpus`).send({ id: 0 }).expect(201);
    const { page, errors } = await browser.open();
    await tid(page, 'vm-select').selectOption(vm.body.id);
    await settled(page);
    await prefault(page, '0', '0x0', '0x20000000');
    expect(await legend(page)).toEqual(['64K leaf', '512M leaf', null]);
    expect(await texts(page, ['roots-leaf-0', 'roots-leaf-1', 'roots-leaf-2'])).toEqual(['64K', '512M', '-']);
    expect((await tid(page, 'root-s2-0').locator('td').allTextContents()).slice(7, 10)).toEqual(['0', '1', '-']);
    const block = tid(page, 'strip').locator('rect[data-level="512M"]');
    expect(await block.getAttribute('fill')).toBe('var(--l2m)');
    expect(await block.getAttribute('data-size')).toBe('0x20000000');
    // Dashed guides on 512M boundaries (the strip fits [0, 0x21000000), ticks every 128M).
    expect(await tid(page, 'legend-guide').textContent()).toBe('512M boundary (dashed)');
    const guides = tid(page, 'strip').locator('[data-testid="block-guide"]');
    expect(await guides.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-gpa')))).toEqual(['0x0', '0x20000000']);

    await walk(page, '0x10000');
    await eventually(() => tid(page, 'walk-summary').textContent()).toMatch(/leaf 512M \(arm64 stage-2 descriptor layout\)$/);
    // 64K granule: a table holds 8192 entries (13 index bits); a block's offset is bits 28:0.
    expect(await tid(page, 'walk-gpa-split').locator('.offset').getAttribute('title')).toBe('bits 28:0');
    expect(await tid(page, 'walk-step-2').textContent()).toContain('gpa bits 41:29; the entry covers 0x0 + 512M');
    expect(errors).toEqual([]);
  });

  it('builds an s390 VM from the presets and walks region-3 -> segment -> page table', async () => {
    const { page, errors } = await browser.open();
    await tid(page, 'create-details').evaluate((d) => ((d as HTMLDetailsElement).open = true));
    await pick(page, 'vm', 'an s390 VM');
    await submit(page, 'vm', /Created VM s390-1/);
    expect(await tid(page, 'vm-info').textContent()).toBe(
      'default, kernel 7.4, s390 gmap: memLimit 0x40000000000, asceType region3, hpage 1M off / 2G off, preFaultAllowed true',
    );
    const vmId = await tid(page, 'vm-select').inputValue();
    await browser.server.api.put(`/v1/vms/${vmId}/memslots/0/0`).send({ guestPhysAddr: '0x0', size: '0x400000' }).expect(200);
    await pick(page, 'vcpu', 's390 vCPU 0');
    await submit(page, 'vcpu', /Created vCPU 0/);
    await prefault(page, '0', '0x0', '0x2000');
    expect(await legend(page)).toEqual(['4K leaf', '1M leaf', '2G leaf']);
    expect(await tid(page, 'legend-guide').textContent()).toBe('1M boundary (dashed)');
    expect(await tid(page, 'strip-root').textContent()).toBe('gmap-0 (gmap region3)');

    // 0x1000: region-3 index bits 41:31 = 0, segment 30:20 = 0, page 19:12 = 1.
    await walk(page, '0x1000');
    await eventually(() => tid(page, 'walk-summary').textContent()).toBe('root gmap-0, gpa 0x1000: leaf 4K (s390 DAT entry layout)');
    expect(await page.locator('[data-testid^="walk-step-"] strong').allTextContents()).toEqual(['region3[0]', 'segment[0]', 'page[1]']);
    expect(await tid(page, 'walk-gpa-split').locator('.gpa-part').allTextContents()).toEqual(['region30', 'segment0', 'page1', 'offset0x0']);
    expect(await tid(page, 'walk-step-1').textContent()).toContain('gpa bits 19:12; the entry covers 0x1000 + 4K');
    // A read link (§19.5): valid, DAT-protected until the first write, young, present.
    const bit = (level: number, name: string) => tid(page, `walk-step-${level}`).locator(`[data-bit="${name}"]`).getAttribute('data-set');
    expect(await Promise.all(['I', 'P', 'Y', 'PR', 'D'].map((n) => bit(1, n)))).toEqual(['false', 'true', 'true', 'true', 'false']);
    expect(await tid(page, 'walk-step-2').locator('[data-bit="TT"]').textContent()).toBe('TT=0');
    expect(await tid(page, 'walk-step-3').locator('[data-bit="TT"]').textContent()).toBe('TT=1');
    expect(await bit(3, 'FC')).toBe('false');
    // The tables tree: 256-entry page tables of 1M under 2048-entry segment tables of 2G.
    expect(await tid(page, 'table-region3-0x0').textContent()).toBe('region3 (root) 0x0..0x40000000000');
    expect(await tid(page, 'table-segment-0x0').textContent()).toBe('segment[0] 0x0..0x80000000');
    expect(await tid(page, 'table-page-0x0').textContent()).toBe('page[0] 0x0..0x100000: 2 x 4K');

    expect(await axeViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('puts an x86 L2 vCPU on nested TDP beside an arm64 vCPU that last ran nested', async () => {
    const ids: string[] = [];
    for (const [vm, vcpu] of [
      [{ name: 'x86-nested' }, { id: 2, guestMode: true, nestedTdp: true }],
      [
        { name: 'arm64-nested', arch: 'arm64', host: { nestedVirt: true } },
        { id: 2, el2: true, lastRanNested: true },
      ],
    ] as const) {
      const res = await browser.server.api.post('/v1/vms').send(vm).expect(201);
      await browser.server.api.put(`/v1/vms/${res.body.id}/memslots/0/0`).send({ guestPhysAddr: '0x0', size: '0x400000' }).expect(200);
      await browser.server.api.post(`/v1/vms/${res.body.id}/vcpus`).send(vcpu).expect(201);
      ids.push(res.body.id as string);
    }
    const { page, errors } = await browser.open(`#/compare?vms=${ids.join(',')}`);
    expect(await cells(page, 'cmp-host')).toEqual(['intel EPT L4', 'arm64 stage-2, 4K granule, 3 levels']);
    expect(await cells(page, 'cmp-vcpu-mode')).toEqual(['L2, nested TDP, nested-tdp-shadow', 'last ran nested (L2), s2-nested']);
    expect(await cells(page, 'cmp-vcpu-loaded')).toEqual(['none', 's2-1 (s2-nested from L1): 0x4K 0x2M 0x1G']);

    await tid(page, 'compare-gpa').fill('0x0');
    await tid(page, 'compare-size').fill('0x3000');
    await tid(page, 'compare-submit').click();
    await eventually(() => tid(page, 'cmp-ret').count()).toBe(1);
    await settled(page);
    // x86 refuses (the switch design was rejected); arm64 switches to the L1 MMU: the
    // canonical stage-2 gets the leaves, the nested stage-2 the vCPU runs on stays empty.
    expect(await cells(page, 'cmp-ret')).toEqual(['-95 EOPNOTSUPP', '0']);
    expect(await cells(page, 'cmp-root')).toEqual(['null (no root)', 's2-canonical from L1']);
    expect(await cells(page, 'cmp-mapped')).toEqual(['nothing', '3 x 4K at 0x0']);
    expect(await cells(page, 'cmp-vcpu-loaded')).toEqual(['none', 's2-1 (s2-nested from L1): 0x4K 0x2M 0x1G']);
    expect((await cells(page, 'cmp-roots'))[1]).toBe('s2-0: s2-canonical from L1, 3x4K 0x2M 0x1G\ns2-1: s2-nested from L1, 0x4K 0x2M 0x1G');
    expect((await cells(page, 'cmp-leaf'))[1]).toMatch(/^4K 0x[0-9a-f]+ \[valid type MemAttr S2AP R S2AP W SH AF XN\]$/);
    expect(await tid(page, 'cmp-no-root-0').count()).toBe(1);
    await eventually(() => tid(page, 'cmp-strip-1').locator('rect[data-level="4K"]').count()).toBe(3);

    await page.screenshot({ path: screenshotPath('compare-x86-arm64'), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});

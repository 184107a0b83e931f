// What students saw on screen: a ret prediction shown back by its errno name, a viewer
// pre-fault that sends no default `inject`, and a lab's Reset that clears the last call and
// the call forms.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventually, haveChromium, missingChromium, settled, tid, useBrowser } from './harness.js';

missingChromium('test/browser/screens.test.ts');

describe.skipIf(!haveChromium)('what the pages show, in chromium', { timeout: 180_000 }, () => {
  const browser = useBrowser();

  async function api(page: Page, method: 'get' | 'post', path: string, data?: object) {
    const res = await page.request[method](`${browser.url}${path}`, data ? { data } : undefined);
    expect(res.status(), await res.text()).toBeLessThan(300);
    return res.json();
  }

  async function startGuided(page: Page, lab: string): Promise<void> {
    await tid(page, `lab-start-${lab}`).click();
    await eventually(() => page.url()).toMatch(new RegExp(`#/labs/${lab}/sessions/[^/]+$`));
    await settled(page);
  }

  it('shows a ret prediction and the outcome by errno name, as the student chose it', async () => {
    const { page, errors } = await browser.open();
    const s = await api(page, 'post', '/v1/labs/three-designs/sessions', { student: 'errno-name', mode: 'predict' });
    const vm = (name: string) => s.vms.find((v: { name: string }) => v.name === name).id as string;
    await api(page, 'post', `/v1/labs/three-designs/sessions/${s.sessionId}/tasks/2/prediction`, {
      rootRole: { smm: true, guestMode: false, level: 4 },
      ret: '-EOPNOTSUPP',
    });
    await page.goto(`${browser.url}/#/labs/three-designs/sessions/${s.sessionId}`);
    await settled(page);
    const ret = tid(page, 'predict-graded-2').locator('li[data-field="ret"]');
    await eventually(() => ret.textContent()).toMatch(/you predicted -EOPNOTSUPP; make the call/);

    for (const name of ['upstream', 'switch-root-mmu', 'reject-smm-guest-mode'])
      await api(page, 'post', `/v1/vms/${vm(name)}/vcpus/1/pre-fault`, { gpa: '0x7f00000', size: '0x1000' });
    await tid(page, 'lab-check').click();
    await settled(page);
    await eventually(() => ret.textContent()).toBe('\u2713 ret: you predicted -EOPNOTSUPP, the kernel did -EOPNOTSUPP');
    expect(errors).toEqual([]);
  });

  it('a viewer pre-fault sends inject only when a signal is asked for', async () => {
    const { page, errors } = await browser.open();
    await startGuided(page, 'huge-pages');
    const bodies: Record<string, unknown>[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/pre-fault')) bodies.push(r.postDataJSON());
    });
    const form = tid(page, 'prefault-form');
    await form.locator('[data-testid="prefault-gpa"]').fill('0x100000');
    await form.locator('[data-testid="prefault-size"]').fill('0x1000');
    await tid(page, 'prefault-submit').click();
    await settled(page);
    await eventually(() => bodies.length).toBe(1);
    expect(bodies[0]).toEqual({ gpa: '0x100000', size: '0x1000', flags: '0x0' });

    await form.locator('input[name="signalPending"]').check();
    await tid(page, 'prefault-submit').click();
    await settled(page);
    await eventually(() => bodies.length).toBe(2);
    expect(bodies[1]).toEqual({ gpa: '0x100000', size: '0x1000', flags: '0x0', inject: { signalPending: true } });

    await form.locator('input[name="signalPending"]').uncheck();
    await form.locator('input[name="signalAfterIterations"]').fill('1');
    await tid(page, 'prefault-submit').click();
    await settled(page);
    await eventually(() => bodies.length).toBe(3);
    expect(bodies[2]!.inject).toEqual({ signalAfterIterations: 1 });
    expect(errors).toEqual([]);
  });

  it("Reset clears the last call, its trace and the forms' values", async () => {
    const { page, errors } = await browser.open();
    await startGuided(page, 'huge-pages');
    const form = tid(page, 'prefault-form');
    await form.locator('[data-testid="prefault-gpa"]').fill('0x100000');
    await form.locator('[data-testid="prefault-size"]').fill('0x400000');
    await form.locator('input[name="signalAfterIterations"]').fill('5');
    await tid(page, 'access-gpa').fill('0x200000');
    await tid(page, 'prefault-submit').click();
    await settled(page);
    await eventually(() => tid(page, 'call-result').textContent()).toMatch(/ret 0/);
    expect(await tid(page, 'trace-row').count()).toBeGreaterThan(0);

    await tid(page, 'lab-reset').click();
    await settled(page);
    await eventually(() => tid(page, 'call-result').textContent()).toBe('No call yet.');
    expect(await tid(page, 'trace-row').count()).toBe(0);
    expect(await tid(page, 'prefault-gpa').inputValue()).toBe('0x0');
    expect(await tid(page, 'prefault-size').inputValue()).toBe('0x200000');
    expect(await form.locator('input[name="signalAfterIterations"]').inputValue()).toBe('');
    expect(await tid(page, 'access-gpa').inputValue()).toBe('0x0');
    expect(errors).toEqual([]);
  });

  it('side by side: a refused call shows no root and no strip, not a root from an earlier call', async () => {
    const { page, errors } = await browser.open();
    const s = await api(page, 'post', '/v1/labs/three-designs/sessions', { student: 'stale-root' });
    const ids = (s.vms as { id: string }[]).map((v) => v.id);
    // Every VM gets a normal root first (vCPU 0, not in SMM).
    for (const id of ids) await api(page, 'post', `/v1/vms/${id}/vcpus/0/pre-fault`, { gpa: '0x0', size: '0x200000' });
    await page.goto(`${browser.url}/#/compare?vms=${ids.join(',')}`);
    await settled(page);
    await tid(page, 'compare-vcpu').selectOption('1');
    await settled(page);
    await tid(page, 'compare-gpa').fill('0x7f00000');
    await tid(page, 'compare-size').fill('0x1000');
    await tid(page, 'compare-submit').click();
    await settled(page);
    await eventually(() => tid(page, 'cmp-root').locator('.cmp-cell').allTextContents()).toEqual([
      'L4 smm1 gm0 as1',
      'L4 smm0 gm0 as0',
      'null (no root)',
    ]);
    // reject-smm-guest-mode refused before choosing a root: its old vCPU 0 root is not drawn.
    expect(await tid(page, 'cmp-strip-2').count()).toBe(0);
    expect(await tid(page, 'cmp-no-root-2').textContent()).toBe('no root');
    expect(await tid(page, 'cmp-strip-0').locator('rect[data-level="4K"]').count()).toBe(1);
    expect(await tid(page, 'cmp-strip-1').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it("the strip's axis labels stay inside the strip and apart, at any width", async () => {
    const { page, errors } = await browser.open();
    // A range whose first tick sits just past the start, with long addresses, in a narrow column.
    // A string, not a function: vitest would rewrite the function's import().
    const boxes = (await page.evaluate(`(async () => {
      const { drawStrip } = await import('/ui/strip.js');
      const out = [];
      for (const [width, from, to] of [
        [400, 0x100029000n, 0x100229000n],
        [300, 0x100029000n, 0x100229000n],
        [400, 0x1000n, 0x7f000n],
        [900, 0x3f000n, 0x4c1000n],
      ]) {
        const wrap = document.createElement('div');
        wrap.style.width = width + 'px';
        document.body.prepend(wrap);
        const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
        svg.setAttribute('class', 'strip');
        svg.setAttribute('viewBox', '0 0 1000 84');
        wrap.append(svg);
        drawStrip(svg, { from, to, rows: [], newRows: [], slots: [] });
        const axis = wrap.querySelector('.axis').getBoundingClientRect();
        const spans = [...wrap.querySelectorAll('.axis span')].map((s) => {
          const r = s.getBoundingClientRect();
          return { left: r.left - axis.left, right: r.right - axis.left, text: s.textContent };
        });
        out.push({ width: axis.width, spans });
        wrap.remove();
      }
      return out;
    })()`)) as { width: number; spans: { left: number; right: number; text: string }[] }[];
    for (const { width, spans } of boxes) {
      expect(spans.length).toBeGreaterThanOrEqual(2);
      for (const s of spans) {
        expect(s.left, s.text).toBeGreaterThanOrEqual(0);
        expect(s.right, s.text).toBeLessThanOrEqual(width + 0.5);
      }
      for (let i = 1; i < spans.length; i++) expect(spans[i]!.left, spans[i]!.text).toBeGreaterThan(spans[i - 1]!.right);
    }
    expect(errors).toEqual([]);
  });

  it('the KVM trace opens under the row clicked, filters by event, downloads and closes', async () => {
    const { page, errors } = await browser.open();
    await startGuided(page, 'huge-pages');
    for (const gpa of ['0x40000000', '0x40200000']) {
      await tid(page, 'prefault-gpa').fill(gpa);
      await tid(page, 'prefault-size').fill('0x1000');
      await tid(page, 'prefault-submit').click();
      await settled(page);
    }
    // The older of the two pre-faults: its box opens right under its own row.
    const older = tid(page, 'oplog-row').nth(1);
    const seq = await older.getAttribute('data-seq');
    await tid(page, `trace-${seq}`).click();
    await settled(page);
    await eventually(() => tid(page, 'trace-box').count()).toBe(1);
    expect(await older.evaluate((r) => (r.nextElementSibling as HTMLElement | null)?.dataset.testid)).toBe('trace-box');
    const all = (await tid(page, 'trace-text').textContent())!;
    expect(all).toMatch(new RegExp(`^# trace of operation ${seq}\n`));
    const events = await tid(page, 'trace-filter')
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(events).toContain('kvm_mmu_set_spte');
    expect(events.length).toBeGreaterThan(2);

    // One event only: every line shown is that event, and there are fewer of them.
    await tid(page, 'trace-filter').selectOption('kvm_mmu_set_spte');
    const only = (await tid(page, 'trace-text').textContent())!;
    const lines = only.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => / kvm_mmu_set_spte: /.test(l))).toBe(true);
    expect(only.length).toBeLessThan(all.length);

    // Download saves what is shown.
    const [file] = await Promise.all([page.waitForEvent('download'), tid(page, 'trace-download').click()]);
    expect(file.suggestedFilename()).toMatch(new RegExp(`op${seq}[.]txt$`));
    const { readFile } = await import('node:fs/promises');
    expect(await readFile((await file.path())!, 'utf8')).toBe(only);

    // Another row's trace replaces the box; Close removes it.
    const newer = await tid(page, 'oplog-row').first().getAttribute('data-seq');
    await tid(page, `trace-${newer}`).click();
    await settled(page);
    await eventually(() => tid(page, 'trace-box').getAttribute('data-seq')).toBe(newer);
    expect(await tid(page, 'trace-box').count()).toBe(1);
    await tid(page, 'trace-close').click();
    expect(await tid(page, 'trace-box').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});

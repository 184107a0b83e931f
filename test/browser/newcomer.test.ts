// The viewer for someone who just arrived, on an open server: with no VMs the page says what
// to do and opens the forms; the presets build a VM, a memslot and vCPUs by hand; the
// server's refusals are shown next to the form that caused them, naming the field.
import { describe, expect, it } from 'vitest';
import { eventually, haveChromium, missingChromium, settled, tid, useBrowser } from './harness.js';

missingChromium('test/browser/newcomer.test.ts');

describe.skipIf(!haveChromium)('the viewer for a newcomer, in chromium', { timeout: 180_000 }, () => {
  const browser = useBrowser();

  it('with no VMs says what to do, and builds a VM, a memslot and vCPUs from the presets', async () => {
    const { page, errors } = await browser.open();
    expect(await tid(page, 'vm-empty').isVisible()).toBe(true);
    expect(await tid(page, 'vm-empty').textContent()).toMatch(/Start a lab/);
    expect(await tid(page, 'create-details').getAttribute('open')).not.toBeNull();

    await tid(page, 'vm-preset').selectOption({ index: 1 });
    expect(await tid(page, 'vm-name').inputValue()).toBe('selftest');
    await tid(page, 'vm-create').click();
    await settled(page);
    await eventually(() => tid(page, 'vm-form-note').textContent()).toMatch(/^Created VM selftest/);
    expect(await tid(page, 'vm-empty').isVisible()).toBe(false);
    expect(await tid(page, 'vm-select').locator('option').allTextContents()).toEqual([expect.stringMatching(/^selftest \(/)]);

    // The selftest's slot 10, then three vCPUs: plain, SMM and nested.
    await tid(page, 'memslot-preset').selectOption({ index: 1 });
    expect(await tid(page, 'memslot-gpa').inputValue()).toBe('0x3fffffc00000');
    await tid(page, 'memslot-create').click();
    await settled(page);
    await eventually(() => tid(page, 'memslot-form-note').textContent()).toBe('Slot 0/10: 0x3fffffc00000 + 0x201000.');
    for (const [preset, id, mode] of [
      [1, 0, 'L1'],
      [2, 1, 'SMM'],
      [3, 2, 'L2, nested TDP'],
    ] as const) {
      await tid(page, 'vcpu-preset').selectOption({ index: preset });
      await tid(page, 'vcpu-create').click();
      await settled(page);
      await eventually(() => tid(page, `vcpu-${id}`).locator('td').nth(2).textContent()).toBe(mode);
    }

    // The VM so built takes the selftest's pre-fault: 4K leaves in the slot.
    await tid(page, 'prefault-vcpu').selectOption('0');
    await tid(page, 'prefault-gpa').fill('0x3fffffc00000');
    await tid(page, 'prefault-size').fill('0x2000');
    await tid(page, 'prefault-submit').click();
    await settled(page);
    await eventually(() => tid(page, 'call-result').textContent()).toMatch(/ret 0/);
    await eventually(() => page.locator('[data-testid="strip"] rect[data-level="4K"]').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  it("shows the server's refusal next to the form, naming the field", async () => {
    const { page, errors } = await browser.open();
    // The first test made a VM: no empty state, the forms are folded away.
    expect(await tid(page, 'vm-empty').isVisible()).toBe(false);
    await tid(page, 'create-details').locator('summary').click();
    await tid(page, 'vm-name').fill('');
    await tid(page, 'vm-create').click();
    await settled(page);
    const vmNote = tid(page, 'vm-form-note');
    await eventually(() => vmNote.textContent()).toMatch(/^name: /);
    expect(await vmNote.getAttribute('class')).toMatch(/error/);
    expect(await tid(page, 'vm-name').getAttribute('aria-invalid')).toBe('true');
    expect(await tid(page, 'vm-name').getAttribute('aria-describedby')).toBe('vm-form-note');
    expect(await tid(page, 'error').isVisible()).toBe(false);

    await tid(page, 'vm-name').fill('errors');
    await tid(page, 'vm-create').click();
    await settled(page);
    await eventually(() => vmNote.textContent()).toMatch(/^Created VM errors/);
    expect(await tid(page, 'vm-name').getAttribute('aria-invalid')).toBeNull();

    await tid(page, 'vcpu-id').fill('x');
    await tid(page, 'vcpu-create').click();
    await settled(page);
    await eventually(() => tid(page, 'vcpu-form-note').textContent()).toMatch(/^id: /);
    expect(await tid(page, 'vcpu-id').getAttribute('aria-invalid')).toBe('true');

    // A refusal without a field (the vCPU exists) is shown there too.
    await tid(page, 'vcpu-id').fill('0');
    await tid(page, 'vcpu-create').click();
    await settled(page);
    await tid(page, 'vcpu-create').click();
    await settled(page);
    await eventually(() => tid(page, 'vcpu-form-note').textContent()).toMatch(/exists/);

    // A slot the kernel refuses (not page-aligned) answers its errno next to the form.
    await tid(page, 'memslot-gpa').fill('0x1001');
    await tid(page, 'memslot-create').click();
    await settled(page);
    await eventually(() => tid(page, 'memslot-form-note').textContent()).toMatch(/^KVM_SET_USER_MEMORY_REGION2: ret -22 \(EINVAL\)/);
    expect(errors).toEqual([]);
  });
});

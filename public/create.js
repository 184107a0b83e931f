// The forms that build a VM by hand: KVM_CREATE_VM, KVM_SET_USER_MEMORY_REGION2 and
// KVM_CREATE_VCPU, each with presets of realistic values (the upstream selftest's, the
// labs' set-ups, openapi.yaml's examples). A refusal is shown next to its form, naming the
// field the server named (problem+json `field`), and that input is marked invalid. Each arch
// has its own fieldset of host/vCPU fields (fieldset[data-arch]); only the shown one is sent.
import { api, post } from './api.js';
import { $, busy, h } from './dom.js';

/** Form values by input name (dotted names are body paths). */
const PRESETS = {
  vm: [
    {
      label: 'the selftest VM (pre_fault_memory_test: default type, Intel EPT)',
      values: { name: 'selftest', type: 'default', 'host.vendor': 'intel', 'host.tdp': true, kernel: '6.18', prefaultPolicy: 'upstream' },
    },
    {
      label: 'a sw_protected VM (private memory, the selftest second run)',
      values: { name: 'protected', type: 'sw_protected', 'host.vendor': 'intel', 'host.tdp': true, kernel: '6.18', prefaultPolicy: 'upstream' },
    },
    {
      label: 'shadow paging (kvm_intel.ept=0)',
      values: { name: 'shadow-1', type: 'default', 'host.vendor': 'intel', 'host.tdp': false, kernel: '6.18', prefaultPolicy: 'upstream' },
    },
    {
      label: 'an AMD host (NPT)',
      values: { name: 'amd-1', type: 'default', 'host.vendor': 'amd', 'host.tdp': true, kernel: '6.18', prefaultPolicy: 'upstream' },
    },
    {
      label: 'the v2 design that always maps L1 GPAs',
      values: { name: 'v2-design', type: 'default', 'host.vendor': 'intel', 'host.tdp': true, kernel: '6.18', prefaultPolicy: 'switch-root-mmu' },
    },
    {
      label: 'an arm64 VM: 4K granule, nested virtualisation (kernel 7.4)',
      values: { name: 'arm64-4k', arch: 'arm64', type: 'default', kernel: '7.4', 'host.granule': '4K', 'host.pkvm': false, 'host.nestedVirt': true },
    },
    {
      label: 'an arm64 VM: 64K granule (512M blocks)',
      values: {
        name: 'arm64-64k',
        arch: 'arm64',
        type: 'default',
        kernel: '7.4',
        'host.granule': '64K',
        'host.pkvm': false,
        'host.nestedVirt': false,
      },
    },
    {
      label: 'an s390 VM: a region-3 gmap (memLimit 4 TiB)',
      values: {
        name: 's390-1',
        arch: 's390',
        type: 'default',
        kernel: '7.4',
        's390.memLimit': '0x40000000000',
        'host.hpage': false,
        's390.hpage1m': false,
      },
    },
  ],
  memslot: [
    {
      label: "the selftest's slot 10: 4K read-only memory below 2^46",
      values: {
        addressSpace: '0',
        slot: 10,
        guestPhysAddr: '0x3fffffc00000',
        size: '0x201000',
        userspaceAddr: '0x7f0000001000',
        'backing.pageSize': '4K',
        'backing.writable': false,
      },
    },
    {
      label: "the labs' RAM: 128 MiB at 0 on 2M pages",
      values: {
        addressSpace: '0',
        slot: 0,
        guestPhysAddr: '0x0',
        size: '0x8000000',
        userspaceAddr: '0x7f0000000000',
        'backing.pageSize': '2M',
        'backing.writable': true,
      },
    },
    {
      label: 'SMRAM: 1 MiB in the SMM address space',
      values: {
        addressSpace: '1',
        slot: 0,
        guestPhysAddr: '0x7f00000',
        size: '0x100000',
        userspaceAddr: '0x7f4000000000',
        'backing.pageSize': '4K',
        'backing.writable': true,
      },
    },
    {
      label: 'arm64 64K granule: 1 GiB at 0 on 512M THP',
      values: {
        addressSpace: '0',
        slot: 0,
        guestPhysAddr: '0x0',
        size: '0x40000000',
        userspaceAddr: '0x7f0000000000',
        'backing.pageSize': '512M',
        'backing.writable': true,
      },
    },
  ],
  vcpu: [
    { label: 'vCPU 0, plain L1', values: { id: 0, maxPhysAddr: 46, smm: false, guestMode: false, nestedTdp: true } },
    { label: 'vCPU 1 in SMM', values: { id: 1, maxPhysAddr: 46, smm: true, guestMode: false, nestedTdp: true } },
    { label: 'vCPU 2 running L2 on nested EPT/NPT', values: { id: 2, maxPhysAddr: 46, smm: false, guestMode: true, nestedTdp: true } },
    { label: 'vCPU 3 running L2, shadow-paged by L1', values: { id: 3, maxPhysAddr: 46, smm: false, guestMode: true, nestedTdp: false } },
    { label: 'arm64 vCPU 0 at vEL1', arch: 'arm64', values: { id: 0, initialized: true, el2: false, lastRanNested: false } },
    { label: 'arm64 vCPU 1 at vEL2 that last ran nested', arch: 'arm64', values: { id: 1, initialized: true, el2: true, lastRanNested: true } },
    { label: 's390 vCPU 0', arch: 's390', values: { id: 0 } },
  ],
};

/** Shows the fieldset of `arch` (and enables it, so only its fields are sent); hides the others. */
function showArch(form, arch) {
  for (const set of form.querySelectorAll('fieldset[data-arch]')) {
    set.hidden = set.dataset.arch !== arch;
    set.disabled = set.hidden;
  }
}

function fill(form, values) {
  for (const [name, value] of Object.entries(values)) {
    const input = form.elements.namedItem(name);
    if (input.type === 'checkbox') input.checked = value;
    else input.value = String(value);
  }
}

/** The request body: dotted names nest, checkboxes are booleans, data-type="int" a number, empty fields left out. */
function bodyOf(form, skip = []) {
  const body = {};
  for (const input of form.elements) {
    if (!input.name || skip.includes(input.name) || input.type === 'radio' || input.closest('fieldset[disabled]')) continue;
    let value = input.type === 'checkbox' ? input.checked : input.value.trim();
    if (value === '') continue;
    if (input.dataset.type === 'int' && /^\d+$/.test(value)) value = Number(value);
    const path = input.name.split('.');
    let at = body;
    for (const key of path.slice(0, -1)) at = at[key] ??= {};
    at[path.at(-1)] = value;
  }
  return body;
}

/** The form's note: what it did, or why it was refused (and the named input marked). */
function note(form, text, { error = false, field } = {}) {
  const box = $(`${form.dataset.testid}-note`);
  for (const input of form.querySelectorAll('[aria-invalid]')) {
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
  }
  box.hidden = !text;
  box.textContent = text;
  box.className = `form-note${error ? ' error' : ' ok'}`;
  box.setAttribute('role', error ? 'alert' : 'status');
  const input = field && form.elements.namedItem(field);
  if (input && input.setAttribute) {
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', box.id);
  }
}

/** A problem+json refusal next to the form; a 401 goes to the token prompt (onError). */
function refused(form, e, onError) {
  if (e.status === 401) return onError(e);
  const what = e.detail ?? e.message;
  note(form, e.field ? `${e.field}: ${what}` : what, { error: true, field: e.field });
}

/** An ioctl answered 200 with a negative ret: the kernel refused it. */
const ioctlText = (what, r) => `${what}: ret ${r.ret}${r.errno ? ` (${r.errno})` : ''}${r.reason ? `: ${r.reason}` : ''}`;

export function createForms({ viewer, onError }) {
  const needVm = (form) => {
    if (viewer.vmId) return true;
    note(form, 'Create or pick a VM first.', { error: true });
    return false;
  };

  async function createVm(form) {
    const vm = await post('/v1/vms', bodyOf(form));
    note(form, `Created VM ${vm.name} (${vm.id.slice(0, 8)}): give it a memslot and a vCPU.`);
    await viewer.loadVms(vm.id);
  }

  async function setMemslot(form) {
    if (!needVm(form)) return;
    const { addressSpace, slot } = bodyOf(form);
    const path = `/v1/vms/${encodeURIComponent(viewer.vmId)}/memslots/${addressSpace}/${encodeURIComponent(slot ?? '')}`;
    const r = await api('PUT', path, bodyOf(form, ['addressSpace', 'slot']));
    if (r.ret < 0) return note(form, ioctlText('KVM_SET_USER_MEMORY_REGION2', r), { error: true });
    note(form, `Slot ${addressSpace}/${slot}: ${r.memslot.guestPhysAddr} + ${r.memslot.size}.`);
    await viewer.selectVm(viewer.vmId);
  }

  async function createVcpu(form) {
    if (!needVm(form)) return;
    const r = await post(`/v1/vms/${encodeURIComponent(viewer.vmId)}/vcpus`, bodyOf(form));
    if (r.ret !== undefined) return note(form, ioctlText('KVM_CREATE_VCPU', r), { error: true });
    note(form, `Created vCPU ${r.id}: pre-fault a range on it below.`);
    await viewer.selectVm(viewer.vmId);
  }

  function wireForm(form, kind, submit) {
    const picker = form.querySelector('[data-preset]');
    picker.replaceChildren(h('option', { value: '' }, '(choose)'), ...PRESETS[kind].map((p, i) => h('option', { value: String(i) }, p.label)));
    const archSwitch = form.querySelector('[data-arch-switch]');
    archSwitch?.addEventListener('change', () => showArch(form, archSwitch.value));
    picker.addEventListener('change', () => {
      if (picker.value === '') return;
      const preset = PRESETS[kind][Number(picker.value)];
      fill(form, { ...(archSwitch && { arch: 'x86' }), ...preset.values });
      showArch(form, archSwitch?.value ?? preset.arch ?? 'x86');
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      note(form, '');
      busy(() => submit(form)).catch((e) => refused(form, e, onError));
    });
  }

  function wire() {
    wireForm($('vm-form'), 'vm', createVm);
    wireForm($('memslot-form'), 'memslot', setMemslot);
    wireForm($('vcpu-form'), 'vcpu', createVcpu);
  }

  return {
    wire,
    /** The vCPU form asks for the fields of the VM it would create a vCPU in. */
    followVm: (vm) => showArch($('vcpu-form'), vm.arch ?? 'x86'),
  };
}

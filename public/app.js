// The page-table viewer: pick a VM, see its vCPUs' MMUs and its roots, draw a root's
// leaves, zoom, and issue pre-faults / guest accesses that redraw the picture.
import { allPages, get, hex, parseAddr, post, token } from './api.js';
import { createLabsPanel } from './labs.js';
import { attachStripEvents, drawStrip } from './strip.js';

const $ = (sel) => document.querySelector(sel);
const state = { vmId: null, vm: null, vcpus: [], roots: [], memslots: [], rootId: null, from: 0n, to: 0x100000000n, rows: [], newRows: [] };

function showError(e) {
  const box = $('[data-testid="error"]');
  box.textContent = e instanceof Error ? e.message : String(e);
  box.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => (box.hidden = true), 8000);
}

const cell = (text) => {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
};
const role = (r) => (r ? `L${r.level} smm${+r.smm} gm${+r.guestMode}${r.mirror ? ' mirror' : ''}` : '-');
const mode = (v) => (v.smm ? 'SMM' : v.guestMode ? (v.nestedTdp ? 'L2, nested TDP' : 'L2, L1 shadow paging') : 'L1');
const vmPath = () => `/v1/vms/${encodeURIComponent(state.vmId)}`;
const currentRoot = () => state.roots.find((r) => r.id === state.rootId) ?? null;

function renderVcpus() {
  $('[data-testid="vcpus"] tbody').replaceChildren(
    ...state.vcpus.map((v) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = `vcpu-${v.id}`;
      tr.append(cell(v.id), cell(v.maxPhysAddr), cell(mode(v)), cell(v.mmu.kind), cell(role(v.mmu.rootRole)), cell(v.loadedRoot ?? '-'));
      return tr;
    }),
  );
  for (const sel of ['[data-testid="prefault-vcpu"]', '[data-testid="access-vcpu"]']) {
    const keep = $(sel).value;
    $(sel).replaceChildren(...state.vcpus.map((v) => new Option(`${v.id} (${mode(v)})`, String(v.id))));
    if (state.vcpus.some((v) => String(v.id) === keep)) $(sel).value = keep;
  }
}

function renderRoots() {
  $('[data-testid="roots"] tbody').replaceChildren(
    ...state.roots.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = `root-${r.id}`;
      if (r.id === state.rootId) tr.classList.add('selected');
      tr.append(cell(r.id), cell(r.level), cell(+r.smm), cell(+r.guestMode), cell(r.addressSpace), cell(+r.mirror), cell(r.vcpus.join(', ') || '-'));
      for (const k of ['4K', '2M', '1G', 'mmio', 'tables']) tr.append(cell(r.counts[k] ?? 0));
      tr.addEventListener('click', () => selectRoot(r.id));
      return tr;
    }),
  );
  $('[data-testid="strip-root"]').textContent = currentRoot() ? `${state.rootId} (${role(currentRoot())})` : '(no root yet: pre-fault something)';
}

function slotsOfRoot() {
  const as = currentRoot()?.addressSpace ?? 0;
  return state.memslots.filter((m) => m.addressSpace === as).map((m) => ({ gpa: m.guestPhysAddr, size: m.size }));
}

async function loadMappings() {
  $('[data-testid="zoom-from"]').value = hex(state.from);
  $('[data-testid="zoom-to"]').value = hex(state.to);
  state.rows = state.rootId
    ? await allPages(`${vmPath()}/roots/${encodeURIComponent(state.rootId)}/mappings?from=${hex(state.from)}&to=${hex(state.to)}&limit=1000`, 'mappings', 10)
    : [];
  drawStrip($('[data-testid="strip"]'), { from: state.from, to: state.to, rows: state.rows, newRows: state.newRows, slots: slotsOfRoot() });
  const leaves = state.rows.reduce((n, r) => n + r.count, 0);
  $('[data-testid="strip-summary"]').textContent = `${state.rows.length} rows, ${leaves} leaves in [${hex(state.from)}, ${hex(state.to)})`;
}

function setRange(from, to) {
  state.from = from;
  state.to = to > from ? to : from + 0x1000n;
}

function fitSpan(items) {
  if (items.length === 0) return false;
  const lo = items.reduce((m, r) => (BigInt(r.gpa) < m ? BigInt(r.gpa) : m), BigInt(items[0].gpa));
  const hi = items.reduce((m, r) => (BigInt(r.gpa) + BigInt(r.size) > m ? BigInt(r.gpa) + BigInt(r.size) : m), 0n);
  const pad = ((hi - lo) / 32n) & ~0xfffn;
  setRange(lo > pad ? lo - pad : 0n, hi + pad);
  return true;
}

async function fitMemslots() {
  if (!fitSpan(slotsOfRoot())) setRange(0n, 0x100000000n);
  await loadMappings();
}

async function fitMappings() {
  const rows = state.rootId ? (await get(`${vmPath()}/roots/${encodeURIComponent(state.rootId)}/mappings?limit=1000`)).mappings : [];
  if (!fitSpan(rows)) return fitMemslots();
  await loadMappings();
}

async function selectRoot(id) {
  state.rootId = id;
  renderRoots();
  await fitMemslots();
}

async function refreshVm() {
  const [vm, vcpus, roots, memslots] = await Promise.all([get(vmPath()), get(`${vmPath()}/vcpus`), get(`${vmPath()}/roots`), get(`${vmPath()}/memslots`)]);
  Object.assign(state, { vm, vcpus: vcpus.vcpus, roots: roots.roots, memslots: memslots.memslots });
  if (!state.roots.some((r) => r.id === state.rootId)) state.rootId = state.roots[0]?.id ?? null;
  $('[data-testid="vm-info"]').textContent = `${vm.type}, ${vm.prefaultPolicy}, kernel ${vm.kernel}, ${vm.host.vendor} ${vm.host.tdp ? 'TDP' : 'shadow paging'}, preFaultAllowed ${vm.preFaultAllowed}`;
  renderVcpus();
  renderRoots();
}

async function selectVm(id) {
  state.vmId = id;
  state.rootId = null;
  state.newRows = [];
  $('[data-testid="vm-select"]').value = id;
  await refreshVm();
  await fitMemslots();
}

async function loadVms(select) {
  const vms = await allPages('/v1/vms?limit=100', 'vms', 5);
  $('[data-testid="vm-select"]').replaceChildren(...vms.map((v) => new Option(`${v.name} (${v.id.slice(0, 8)})`, v.id)));
  const pick = select ?? (vms.some((v) => v.id === state.vmId) ? state.vmId : vms[0]?.id);
  if (pick) await selectVm(pick);
}

function renderCall(what, result) {
  const r = result;
  const lines = [`${what}: ret ${r.ret}${r.errno ? ` (${r.errno})` : ''}`];
  if (r.range) lines.push(`range copied back: gpa ${r.range.gpa}, size ${r.range.size}`);
  if (r.exit !== undefined) lines.push(`exit: ${r.exit ?? 'none (guest continues)'}`);
  lines.push(`root: ${r.root ? `${r.root.id} (${role(r.root)})` : 'null'}`, `mapped: ${r.mapped.map((m) => `${m.count} x ${m.level} ${m.kind} at ${m.gpa}`).join(', ') || 'nothing new'}`);
  if (r.note) lines.push(`note: ${r.note}`);
  const pre = $('[data-testid="call-result"]');
  pre.textContent = lines.join('\n');
  pre.classList.remove('muted');
  $('[data-testid="trace"] tbody').replaceChildren(
    ...r.iterations.map((it) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'trace-row';
      tr.append(cell(it.gpa), cell(it.result), cell(it.level ?? '-'), cell(it.consumed), cell(it.count), cell(it.errno ?? '-'));
      return tr;
    }),
  );
}

/** After a call: new leaves are remembered, the picture follows the root and range the call used. */
async function afterCall(what, result) {
  renderCall(what, result);
  state.newRows = result.mapped;
  await refreshVm();
  if (result.root) state.rootId = result.root.id;
  renderRoots();
  if (!fitSpan(result.mapped)) return loadMappings();
  await loadMappings();
}

async function submitPrefault(ev) {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const after = String(f.get('signalAfterIterations') ?? '').trim();
  const body = {
    gpa: hex(parseAddr(f.get('gpa'))),
    size: hex(parseAddr(f.get('size'))),
    flags: hex(parseAddr(f.get('flags') || '0')),
    inject: { signalPending: f.get('signalPending') === 'on', signalAfterIterations: after ? Number(after) : null },
  };
  const result = await post(`${vmPath()}/vcpus/${f.get('vcpu')}/pre-fault`, body);
  await afterCall(`pre-fault on vCPU ${f.get('vcpu')}`, result);
}

async function submitAccess(ev) {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const result = await post(`${vmPath()}/vcpus/${f.get('vcpu')}/access`, { gpa: hex(parseAddr(f.get('gpa'))), kind: f.get('kind') });
  await afterCall(`${f.get('kind')} access on vCPU ${f.get('vcpu')}`, result);
}

/** A lab task's call, copied into the matching form (the VM switched to the call's). */
async function useCall(call) {
  const m = /^\/v1\/vms\/([^/]+)\/vcpus\/(\d+)\/(pre-fault|access)$/.exec(call.path);
  if (!m) return;
  if (m[1] !== state.vmId) await selectVm(decodeURIComponent(m[1]));
  const form = $(m[3] === 'pre-fault' ? '[data-testid="prefault-form"]' : '[data-testid="access-form"]');
  form.elements.vcpu.value = m[2];
  form.elements.gpa.value = String(call.body?.gpa ?? '0x0');
  if (m[3] === 'pre-fault') {
    form.elements.size.value = String(call.body?.size ?? '0x1000');
    form.elements.flags.value = String(call.body?.flags ?? 0);
  } else form.elements.kind.value = call.body?.kind ?? 'read';
  form.scrollIntoView({ behavior: 'smooth', block: 'center' });
}

const guard = (fn) => (...args) => fn(...args).catch(showError);

function wire() {
  const tokenInput = $('[data-testid="token"]');
  tokenInput.value = token.get();
  tokenInput.addEventListener('change', () => {
    token.set(tokenInput.value.trim());
    location.reload();
  });
  $('[data-testid="vm-select"]').addEventListener('change', guard((ev) => selectVm(ev.target.value)));
  $('[data-testid="vm-refresh"]').addEventListener('click', guard(() => loadVms()));
  $('[data-testid="prefault-form"]').addEventListener('submit', guard(submitPrefault));
  $('[data-testid="access-form"]').addEventListener('submit', guard(submitAccess));
  $('[data-testid="zoom-form"]').addEventListener(
    'submit',
    guard(async (ev) => {
      ev.preventDefault();
      setRange(parseAddr($('[data-testid="zoom-from"]').value), parseAddr($('[data-testid="zoom-to"]').value));
      await loadMappings();
    }),
  );
  $('[data-testid="fit-mappings"]').addEventListener('click', guard(fitMappings));
  $('[data-testid="fit-memslots"]').addEventListener('click', guard(fitMemslots));
  $('[data-testid="zoom-out"]').addEventListener(
    'click',
    guard(async () => {
      const span = state.to - state.from;
      setRange(state.from > span * 2n ? state.from - span * 2n : 0n, state.to + span * 2n);
      await loadMappings();
    }),
  );
  attachStripEvents($('[data-testid="strip"]'), $('[data-testid="tooltip"]'), () => state, (from, to) => {
    setRange(from, to);
    loadMappings().catch(showError);
  });
}

async function main() {
  wire();
  const labs = createLabsPanel({
    onSession: (s) => loadVms(s.vms[0]?.id).catch(showError),
    onUseCall: (call) => useCall(call).catch(showError),
    onError: showError,
  });
  await labs.load().catch(showError);
  if (!state.vmId) await loadVms().catch(showError);
  document.body.dataset.ready = 'true';
}

main();

// The page-table viewer: pick a VM, see its vCPUs' MMUs and its roots, draw a root's
// leaves, zoom, issue pre-faults / guest accesses that redraw the picture, walk one GPA,
// see the root's tables as a tree and the VM's operation log.
import { allPages, get, hex, parseAddr, post } from './api.js';
import { blockSize, leafBytes, leafSizes, vmSummary } from './arch.js';
import { $, busy, h, roleText, row, vcpuMode } from './dom.js';
import { reasonOf, showOperations } from './oplog.js';
import { attachStripEvents, drawStrip } from './strip.js';
import { renderTables } from './tables.js';
import { showWalk } from './walk.js';

/** A row set of the strip: the range every mapping is in (with a margin), or null. */
export function fitSpan(items) {
  if (items.length === 0) return null;
  const lo = items.reduce((m, r) => (BigInt(r.gpa) < m ? BigInt(r.gpa) : m), BigInt(items[0].gpa));
  const hi = items.reduce((m, r) => (BigInt(r.gpa) + BigInt(r.size) > m ? BigInt(r.gpa) + BigInt(r.size) : m), 0n);
  const pad = ((hi - lo) / 32n) & ~0xfffn;
  return { from: lo > pad ? lo - pad : 0n, to: hi + pad };
}

/** The lines of a pre-fault / access answer (shared with the side-by-side view). */
function callLines(what, r) {
  const lines = [`${what}: ret ${r.ret}${r.errno ? ` (${r.errno})` : ''}`];
  const reason = reasonOf(r);
  if (reason) lines.push(`reason: ${reason}`);
  if (r.range) lines.push(`range copied back: gpa ${r.range.gpa}, size ${r.range.size}`);
  if (r.exit !== undefined) lines.push(`exit: ${r.exit ?? 'none (guest continues)'}`);
  lines.push(
    `root: ${r.root ? `${r.root.id} (${roleText(r.root)})` : 'null'}`,
    `mapped: ${(r.mapped ?? []).map((m) => `${m.count} x ${m.level} ${m.kind} at ${m.gpa}`).join(', ') || 'nothing new'}`,
  );
  if (r.note) lines.push(`note: ${r.note}`);
  return lines;
}

const iterationRow = (it) => row([it.gpa, it.result, it.level ?? '-', it.consumed, it.count, it.errno ?? '-'], { 'data-testid': 'trace-row' });

export function createViewer({ onError }) {
  const state = {
    vmId: null,
    vm: null,
    vcpus: [],
    roots: [],
    memslots: [],
    rootId: null,
    from: 0n,
    to: 0x100000000n,
    rows: [],
    newRows: [],
    roles: new Map(),
    walkGpa: null,
  };
  const vmPath = () => `/v1/vms/${encodeURIComponent(state.vmId)}`;
  const currentRoot = () => state.roots.find((r) => r.id === state.rootId) ?? null;

  function renderVcpus() {
    $('vcpus')
      .querySelector('tbody')
      .replaceChildren(
        ...state.vcpus.map((v) =>
          row([v.id, v.maxPhysAddr, vcpuMode(v), v.mmu.kind, roleText(v.mmu.rootRole), v.loadedRoot ?? '-'], { 'data-testid': `vcpu-${v.id}` }),
        ),
      );
    for (const id of ['prefault-vcpu', 'access-vcpu']) {
      const sel = $(id);
      const keep = sel.value;
      sel.replaceChildren(...state.vcpus.map((v) => new Option(`${v.id} (${vcpuMode(v)})`, String(v.id))));
      if (state.vcpus.some((v) => String(v.id) === keep)) sel.value = keep;
    }
  }

  /** The roots table's and the legend's leaf sizes follow the VM's arch (arm64 64K: 64K/512M). */
  function renderLeafSizes() {
    const sizes = leafSizes(state.vm);
    for (let i = 0; i < 3; i++) {
      $(`roots-leaf-${i}`).textContent = sizes[i] ?? '-';
      const item = $(`legend-leaf-${i}`);
      item.hidden = !sizes[i];
      item.lastChild.textContent = `${sizes[i]} leaf`;
    }
    $('legend-guide').lastChild.textContent = `${blockSize(state.vm)} boundary (dashed)`;
  }

  function renderRoots() {
    const sizes = leafSizes(state.vm);
    $('roots')
      .querySelector('tbody')
      .replaceChildren(
        ...state.roots.map((r) => {
          const tr = row(
            [
              r.id,
              r.level,
              +r.smm,
              +r.guestMode,
              r.addressSpace,
              +r.mirror,
              r.vcpus.join(', ') || '-',
              ...[0, 1, 2].map((i) => (sizes[i] ? (r.counts[sizes[i]] ?? 0) : '-')),
              r.counts.mmio ?? 0,
              r.counts.tables ?? 0,
            ],
            { 'data-testid': `root-${r.id}` },
          );
          if (r.id === state.rootId) tr.classList.add('selected');
          tr.addEventListener('click', () => selectRoot(r.id).catch(onError));
          return tr;
        }),
      );
    $('strip-root').textContent = currentRoot() ? `${state.rootId} (${roleText(currentRoot())})` : '(no root yet: pre-fault something)';
  }

  function slotsOfRoot() {
    const as = currentRoot()?.addressSpace ?? 0;
    return state.memslots.filter((m) => m.addressSpace === as).map((m) => ({ gpa: m.guestPhysAddr, size: m.size }));
  }

  const rootPath = () => `${vmPath()}/roots/${encodeURIComponent(state.rootId)}`;

  async function loadMappings() {
    $('zoom-from').value = hex(state.from);
    $('zoom-to').value = hex(state.to);
    state.rows = state.rootId ? await allPages(`${rootPath()}/mappings?from=${hex(state.from)}&to=${hex(state.to)}&limit=1000`, 'mappings', 10) : [];
    drawStrip($('strip'), {
      from: state.from,
      to: state.to,
      rows: state.rows,
      newRows: state.newRows,
      slots: slotsOfRoot(),
      block: leafBytes(blockSize(state.vm)),
    });
    const leaves = state.rows.reduce((n, r) => n + r.count, 0);
    $('strip-summary').textContent = `${state.rows.length} rows, ${leaves} leaves in [${hex(state.from)}, ${hex(state.to)})`;
  }

  /** The tree needs every leaf of the root, not just the zoomed range. */
  async function loadTables() {
    const rows = state.rootId ? await allPages(`${rootPath()}/mappings?limit=1000`, 'mappings', 10) : [];
    renderTables($('tables'), { rows, root: currentRoot(), vm: state.vm, onPick: (gpa) => walk(gpa).catch(onError) });
  }

  async function walk(gpa) {
    state.walkGpa = gpa;
    $('walk-gpa').value = hex(gpa);
    await showWalk($('walk'), { vm: state.vm, rootId: state.rootId, gpa });
  }

  const loadOperations = () => (state.vmId ? showOperations($('operations'), state.vmId, onError) : Promise.resolve());

  function setRange(from, to) {
    state.from = from;
    state.to = to > from ? to : from + 0x1000n;
  }

  async function fitMemslots() {
    const span = fitSpan(slotsOfRoot());
    setRange(span?.from ?? 0n, span?.to ?? 0x100000000n);
    await loadMappings();
  }

  async function fitMappings() {
    const rows = state.rootId ? (await get(`${rootPath()}/mappings?limit=1000`)).mappings : [];
    const span = fitSpan(rows);
    if (!span) return fitMemslots();
    setRange(span.from, span.to);
    await loadMappings();
  }

  async function afterRootChange() {
    await Promise.all([loadTables(), state.walkGpa !== null ? walk(state.walkGpa) : Promise.resolve()]);
  }

  async function selectRoot(id) {
    state.rootId = id;
    renderRoots();
    await fitMemslots();
    await afterRootChange();
  }

  async function refreshVm() {
    const [vm, vcpus, roots, memslots] = await Promise.all([
      get(vmPath()),
      get(`${vmPath()}/vcpus`),
      get(`${vmPath()}/roots`),
      get(`${vmPath()}/memslots`),
    ]);
    Object.assign(state, { vm, vcpus: vcpus.vcpus, roots: roots.roots, memslots: memslots.memslots });
    if (!state.roots.some((r) => r.id === state.rootId)) state.rootId = state.roots[0]?.id ?? null;
    const role = state.roles.get(vm.id);
    $('vm-info').textContent = `${role ? `role ${role}: ` : ''}${vmSummary(vm)}`;
    renderLeafSizes();
    onVm?.(vm);
    renderVcpus();
    renderRoots();
  }

  /** Any other answer (a lab's PATCH/PUT/GET call), shown as JSON in the "Last call" box. */
  function showAnswer(what, answer) {
    const pre = $('call-result');
    pre.textContent = `${what}:\n${JSON.stringify(answer, null, 1)}`;
    pre.classList.remove('muted');
    $('trace').querySelector('tbody').replaceChildren();
  }

  /** A fresh start (a lab's Reset): no "Last call", the call forms back to their defaults. */
  function clearCall() {
    const pre = $('call-result');
    pre.textContent = 'No call yet.';
    pre.classList.add('muted');
    $('trace').querySelector('tbody').replaceChildren();
    $('prefault-form').reset();
    $('access-form').reset();
  }

  async function selectVm(id) {
    state.vmId = id;
    state.rootId = null;
    state.newRows = [];
    state.walkGpa = null;
    $('walk').replaceChildren(h('p', { class: 'muted' }, 'Click the strip or type a GPA to walk it.'));
    $('vm-select').value = id;
    await refreshVm();
    await fitMemslots();
    await Promise.all([loadTables(), loadOperations()]);
  }

  const optionText = (v) => (state.roles.has(v.id) ? `${state.roles.get(v.id)} (${v.id.slice(0, 8)})` : `${v.name} (${v.id.slice(0, 8)})`);

  /**
   * Fills the VM picker. With `lab` (a lab session: { vms: [{ name, id }] }) only the
   * session's VMs are offered, named by their role in the lab.
   */
  async function loadVms(select, lab = null) {
    state.roles = new Map((lab?.vms ?? []).map((v) => [v.id, v.name]));
    const vms = lab
      ? await Promise.all(lab.vms.map((v) => get(`/v1/vms/${encodeURIComponent(v.id)}`)))
      : await allPages('/v1/vms?limit=100', 'vms', 5);
    $('vm-select').replaceChildren(...vms.map((v) => new Option(optionText(v), v.id)));
    // Someone who just arrived: say what to do, and open the forms that build a VM.
    $('vm-empty').hidden = vms.length > 0 || lab !== null;
    if (vms.length === 0 && !lab) $('create-details').open = true;
    const pick = select ?? (vms.some((v) => v.id === state.vmId) ? state.vmId : vms[0]?.id);
    if (pick) await selectVm(pick);
  }

  function renderCall(what, result) {
    const pre = $('call-result');
    pre.textContent = callLines(what, result).join('\n');
    pre.classList.remove('muted');
    $('trace')
      .querySelector('tbody')
      .replaceChildren(...result.iterations.map(iterationRow));
  }

  /** After a call: new leaves are remembered, the picture follows the root and range the call used. */
  async function afterCall(what, result) {
    renderCall(what, result);
    state.newRows = result.mapped ?? [];
    await refreshVm();
    if (result.root) state.rootId = result.root.id;
    renderRoots();
    const span = fitSpan(state.newRows);
    if (span) setRange(span.from, span.to);
    await loadMappings();
    await Promise.all([afterRootChange(), loadOperations()]);
    await onCall?.();
  }

  let onCall = null;
  let onVm = null;

  async function submitPrefault(ev) {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const after = String(f.get('signalAfterIterations') ?? '').trim();
    const signalPending = f.get('signalPending') === 'on';
    const body = {
      gpa: hex(parseAddr(f.get('gpa'))),
      size: hex(parseAddr(f.get('size'))),
      flags: hex(parseAddr(f.get('flags') || '0')),
    };
    // Only an injection the student asked for: the server logs `inject` whenever it is sent.
    if (signalPending || after) body.inject = { ...(signalPending && { signalPending }), ...(after && { signalAfterIterations: Number(after) }) };
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
    const form = $(m[3] === 'pre-fault' ? 'prefault-form' : 'access-form');
    form.elements.vcpu.value = m[2];
    form.elements.gpa.value = String(call.body?.gpa ?? '0x0');
    if (m[3] === 'pre-fault') {
      form.elements.size.value = String(call.body?.size ?? '0x1000');
      form.elements.flags.value = String(call.body?.flags ?? 0);
    } else form.elements.kind.value = call.body?.kind ?? 'read';
    form.scrollIntoView({ behavior: 'smooth', block: 'center' });
  }

  const guard =
    (fn) =>
    (...args) =>
      busy(() => fn(...args)).catch(onError);

  function wire() {
    $('vm-select').addEventListener(
      'change',
      guard((ev) => selectVm(ev.target.value)),
    );
    $('vm-refresh').addEventListener(
      'click',
      guard(() => (state.vmId ? selectVm(state.vmId) : loadVms())),
    );
    $('prefault-form').addEventListener('submit', guard(submitPrefault));
    $('access-form').addEventListener('submit', guard(submitAccess));
    $('zoom-form').addEventListener(
      'submit',
      guard(async (ev) => {
        ev.preventDefault();
        setRange(parseAddr($('zoom-from').value), parseAddr($('zoom-to').value));
        await loadMappings();
      }),
    );
    $('fit-mappings').addEventListener('click', guard(fitMappings));
    $('fit-memslots').addEventListener('click', guard(fitMemslots));
    $('zoom-out').addEventListener(
      'click',
      guard(async () => {
        const span = state.to - state.from;
        setRange(state.from > span * 2n ? state.from - span * 2n : 0n, state.to + span * 2n);
        await loadMappings();
      }),
    );
    $('walk-form').addEventListener(
      'submit',
      guard(async (ev) => {
        ev.preventDefault();
        await walk(parseAddr($('walk-gpa').value));
      }),
    );
    attachStripEvents(
      $('strip'),
      $('tooltip'),
      () => state,
      guard(async (from, to) => {
        setRange(from, to);
        await loadMappings();
      }),
      guard(walk),
    );
  }

  return {
    wire,
    loadVms,
    selectVm,
    useCall: (call) => busy(() => useCall(call)),
    showAnswer,
    clearCall,
    get vmId() {
      return state.vmId;
    },
    set onCall(fn) {
      onCall = fn;
    },
    /** Called with each VM the viewer shows (the vCPU form follows its arch). */
    set onVm(fn) {
      onVm = fn;
    },
  };
}

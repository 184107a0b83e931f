// Side by side (#/compare?vms=a,b,c): two or three VMs in columns, one request sent to all,
// the answers, vCPU state and strips in aligned rows, and every row whose values differ
// between the columns highlighted. Made for the three designs (same vCPU states, different
// policies), two kernel versions, EPT against NPT, or x86 against arm64 for one nested question.
import { allPages, get, hex, parseAddr, post } from './api.js';
import { archOf, blockSize, entryLayout, hostMmu, leafBytes, leafSizes } from './arch.js';
import { $, busy, h, roleText, vcpuMode } from './dom.js';
import { reasonOf } from './oplog.js';
import { drawStrip } from './strip.js';
import { decodeSpte } from './spte.js';
import { fitSpan } from './viewer.js';

const enc = encodeURIComponent;
const MAX = 3;

/** "three-designs:upstream" -> "upstream": a lab VM's role is the part after the lab id. */
const roleOfName = (name) => (name.includes(':') ? name.slice(name.indexOf(':') + 1) : name);
const vendorText = (vm) =>
  archOf(vm) === 'x86'
    ? `${vm.host.vendor} ${vm.host.tdp ? (vm.host.vendor === 'intel' ? 'EPT' : 'NPT') : 'shadow'} L${vm.host.maxTdpLevel ?? '?'}`
    : hostMmu(vm);
/** "3x4K 0x2M 0x1G": a root's leaves in its arch's sizes. */
const leafCounts = (vm, root) =>
  leafSizes(vm)
    .map((size) => `${root.counts[size] ?? 0}x${size}`)
    .join(' ');

export function createCompare({ onError }) {
  let cols = [];
  let range = { from: 0n, to: 0x200000n };

  async function loadColumn(vmId, last = null) {
    const p = `/v1/vms/${enc(vmId)}`;
    const [vm, vcpus, roots, memslots] = await Promise.all([get(p), get(`${p}/vcpus`), get(`${p}/roots`), get(`${p}/memslots`)]);
    return { vm, vcpus: vcpus.vcpus, roots: roots.roots, memslots: memslots.memslots, last };
  }

  const vcpuId = () => Number($('compare-vcpu').value || 0);

  /**
   * The root a column's strip shows: the last call's, else the chosen vCPU's loaded one. A
   * call that used no root (refused, or failed) has none: another root would be stale.
   */
  function stripRoot(c) {
    if (c.last && !c.last.result?.root) return null;
    const id = c.last?.result?.root?.id ?? c.vcpus.find((v) => v.id === vcpuId())?.loadedRoot ?? c.roots[0]?.id ?? null;
    return c.roots.find((r) => r.id === id) ?? null;
  }

  /** One aligned row: a label and a cell per column; differing values are marked. */
  function cmpRow(field, label, values, render = (v) => v) {
    const differs = new Set(values.map((v) => String(v))).size > 1;
    return h(
      'div',
      { class: `cmp-row${differs ? ' differs' : ''}`, 'data-testid': `cmp-${field}`, 'data-differs': differs },
      h('div', { class: 'cmp-label' }, label),
      ...values.map((v, i) => h('div', { class: `cmp-cell${differs ? ' diff' : ''}`, 'data-col': i }, render(v))),
    );
  }

  /** The leaf SPTE of the request's GPA in the root a column's call used, decoded for its vendor. */
  async function leafOf(c) {
    const root = stripRoot(c);
    if (!c.last || !root) return 'no root';
    const walk = await get(`/v1/vms/${enc(c.vm.id)}/roots/${enc(root.id)}/walk?gpa=${c.last.gpa}`);
    const leaf = walk.steps.at(-1);
    if (!leaf?.present) return `not present at level ${leaf?.level ?? '?'}`;
    const d = decodeSpte(leaf.spte, { vendor: entryLayout(c.vm), leaf: leaf.leaf, level: leaf.level });
    return `${walk.leafLevel ?? 'no leaf'} ${leaf.spte} [${d.fields
      .filter((f) => f.set)
      .map((f) => f.name)
      .join(' ')}]`;
  }

  async function strips() {
    return Promise.all(
      cols.map(async (c, i) => {
        const root = stripRoot(c);
        const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
        svg.setAttribute('class', 'strip');
        svg.setAttribute('viewBox', '0 0 1000 84');
        svg.setAttribute('preserveAspectRatio', 'none');
        svg.dataset.testid = `cmp-strip-${i}`;
        svg.setAttribute('role', 'img');
        svg.setAttribute('aria-label', `the leaves of ${c.vm.name}'s root in the compared range`);
        const wrap = h('div', { class: 'strip-wrap' }, h('div', { class: 'muted' }, root ? `root ${root.id} (${roleText(root)})` : 'no root'), svg);
        if (!root) return { wrap: h('div', { class: 'strip-wrap muted', 'data-testid': `cmp-no-root-${i}` }, 'no root'), draw: () => {} };
        const rows = root
          ? await allPages(
              `/v1/vms/${enc(c.vm.id)}/roots/${enc(root.id)}/mappings?from=${hex(range.from)}&to=${hex(range.to)}&limit=1000`,
              'mappings',
              5,
            )
          : [];
        const slots = c.memslots.filter((m) => m.addressSpace === (root?.addressSpace ?? 0)).map((m) => ({ gpa: m.guestPhysAddr, size: m.size }));
        const strip = { from: range.from, to: range.to, rows, newRows: c.last?.result?.mapped ?? [], slots, block: leafBytes(blockSize(c.vm)) };
        return { wrap, draw: () => drawStrip(svg, strip) };
      }),
    );
  }

  async function render() {
    const grid = $('compare-grid');
    grid.style.setProperty('--cols', String(cols.length));
    if (cols.length === 0) {
      grid.replaceChildren(h('p', { class: 'muted' }, 'Pick two or three VMs above.'));
      return;
    }
    const id = vcpuId();
    const vcpu = (c) => c.vcpus.find((v) => v.id === id);
    const res = (c) => c.last?.result;
    const rows = [
      h(
        'div',
        { class: 'cmp-row head' },
        h('div', { class: 'cmp-label' }, ''),
        ...cols.map((c, i) =>
          h(
            'div',
            { class: 'cmp-cell', 'data-testid': `cmp-head-${i}` },
            h('strong', {}, roleOfName(c.vm.name)),
            h('div', { class: 'muted' }, c.vm.id.slice(0, 8)),
          ),
        ),
      ),
      cmpRow(
        'policy',
        'prefaultPolicy',
        cols.map((c) => c.vm.prefaultPolicy),
      ),
      cmpRow(
        'kernel',
        'kernel',
        cols.map((c) => c.vm.kernel),
      ),
      cmpRow(
        'host',
        'host MMU',
        cols.map((c) => vendorText(c.vm)),
      ),
      cmpRow(
        'vcpu-mode',
        `vCPU ${id} mode`,
        cols.map((c) => (vcpu(c) ? `${vcpuMode(vcpu(c))}, ${vcpu(c).mmu.kind}` : 'no such vCPU')),
      ),
      cmpRow(
        'vcpu-role',
        `vCPU ${id} root role`,
        cols.map((c) => roleText(vcpu(c)?.mmu.rootRole)),
      ),
      // The root the vCPU runs on: an arm64 vCPU that last ran nested loads the nested stage-2.
      cmpRow(
        'vcpu-loaded',
        `vCPU ${id} loaded root`,
        cols.map((c) => {
          const root = c.roots.find((r) => r.id === vcpu(c)?.loadedRoot);
          return root ? `${root.id} (${roleText(root)}): ${leafCounts(c.vm, root)}` : 'none';
        }),
      ),
    ];
    if (cols.some((c) => c.last)) {
      rows.push(
        h(
          'div',
          { class: 'cmp-row sep' },
          h('div', { class: 'cmp-label' }, h('strong', {}, 'last request')),
          h('div', { class: 'cmp-cell wide' }, cols.find((c) => c.last)?.last.what ?? ''),
        ),
        cmpRow(
          'ret',
          'ret / errno',
          cols.map((c) => (res(c) ? `${res(c).ret}${res(c).errno ? ` ${res(c).errno}` : ''}` : (c.last?.error ?? '-'))),
        ),
        cmpRow(
          'reason',
          'reason',
          cols.map((c) => reasonOf(res(c)) ?? '-'),
        ),
        cmpRow(
          'root',
          'root used',
          cols.map((c) => (res(c) ? (res(c).root ? roleText(res(c).root) : 'null (no root)') : '-')),
        ),
        cmpRow(
          'mapped',
          'mapped',
          cols.map((c) => (res(c)?.mapped ?? []).map((m) => `${m.count} x ${m.level} at ${m.gpa}`).join(', ') || 'nothing'),
        ),
        cmpRow(
          'iterations',
          'iterations',
          cols.map(
            (c) =>
              (res(c)?.iterations ?? [])
                .map((it) => `${it.result}${it.level ? ` ${it.level}` : ''} x${it.count}${it.errno ? ` ${it.errno}` : ''}`)
                .join('; ') || '-',
          ),
        ),
        cmpRow(
          'range',
          'range after',
          cols.map((c) => (res(c)?.range ? `gpa ${res(c).range.gpa}, size ${res(c).range.size}` : '-')),
        ),
        cmpRow(
          'leaf',
          `leaf SPTE at ${cols.find((c) => c.last)?.last.gpa ?? ''}`,
          await Promise.all(cols.map((c) => leafOf(c).catch((e) => e.message))),
        ),
      );
    }
    const drawn = await strips();
    rows.push(
      h(
        'div',
        { class: 'cmp-row' },
        h('div', { class: 'cmp-label' }, `strip ${hex(range.from)}..${hex(range.to)}`),
        ...drawn.map((d) => h('div', { class: 'cmp-cell' }, d.wrap)),
      ),
      cmpRow(
        'roots',
        'roots',
        cols.map((c) => c.roots.map((r) => `${r.id}: ${roleText(r)}, ${leafCounts(c.vm, r)}`).join('\n') || 'none'),
        (v) => h('pre', {}, v),
      ),
    );
    grid.replaceChildren(...rows);
    for (const d of drawn) d.draw();
  }

  function fillVcpus() {
    const sel = $('compare-vcpu');
    const keep = sel.value;
    const ids = [...new Set(cols.flatMap((c) => c.vcpus.map((v) => v.id)))].sort((a, b) => a - b);
    sel.replaceChildren(
      ...ids.map(
        (id) =>
          new Option(
            `${id} (${
              cols
                .map((c) => c.vcpus.find((v) => v.id === id))
                .filter(Boolean)
                .map(vcpuMode)[0]
            })`,
            String(id),
          ),
      ),
    );
    if (ids.some((id) => String(id) === keep)) sel.value = keep;
  }

  async function picker(selected) {
    const vms = await allPages('/v1/vms?limit=100', 'vms', 5);
    $('compare-picker').replaceChildren(
      ...vms.map((v) =>
        h(
          'label',
          { class: 'pick' },
          h('input', { type: 'checkbox', value: v.id, checked: selected.includes(v.id), 'data-testid': `compare-pick-${v.id}` }),
          ` ${v.name} `,
          h('span', { class: 'muted' }, `${v.prefaultPolicy}, ${v.kernel}, ${v.id.slice(0, 8)}`),
        ),
      ),
    );
  }

  /** The route #/compare?vms=a,b,c. */
  async function open(params) {
    const ids = (params.get('vms') ?? '').split(',').filter(Boolean).slice(0, MAX);
    await picker(ids);
    cols = await Promise.all(ids.map((id) => loadColumn(id)));
    fillVcpus();
    const span = fitSpan(cols.flatMap((c) => c.memslots.filter((m) => m.addressSpace === 0).map((m) => ({ gpa: m.guestPhysAddr, size: m.size }))));
    range = span ?? { from: 0n, to: 0x200000n };
    await render();
  }

  /** The same request to every column, in parallel; a refused request is that column's answer. */
  async function sendAll(ev) {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const kind = f.get('op');
    const vcpu = f.get('vcpu');
    const gpa = parseAddr(f.get('gpa'));
    const size = parseAddr(f.get('size') || '0x1000');
    const body =
      kind === 'pre-fault'
        ? { gpa: hex(gpa), size: hex(size), flags: hex(parseAddr(f.get('flags') || '0')) }
        : { gpa: hex(gpa), kind: f.get('access') };
    const what =
      kind === 'pre-fault' ? `pre-fault vCPU ${vcpu} [${hex(gpa)}, +${hex(size)})` : `${f.get('access')} access vCPU ${vcpu} at ${hex(gpa)}`;
    const answers = await Promise.all(
      cols.map((c) =>
        post(`/v1/vms/${enc(c.vm.id)}/vcpus/${vcpu}/${kind}`, body).then(
          (result) => ({ what, gpa: hex(gpa), result }),
          (e) => ({ what, gpa: hex(gpa), error: e.message }),
        ),
      ),
    );
    cols = await Promise.all(cols.map((c, i) => loadColumn(c.vm.id, answers[i])));
    const mapped = answers.flatMap((a) => a.result?.mapped ?? []);
    range = fitSpan(mapped.length ? mapped : [{ gpa: hex(gpa), size: hex(kind === 'pre-fault' ? size : 0x1000n) }]);
    await render();
  }

  function wire(navigate) {
    $('compare-form').addEventListener('submit', (ev) => busy(() => sendAll(ev)).catch(onError));
    $('compare-vcpu').addEventListener('change', () => busy(render).catch(onError));
    $('compare-apply').addEventListener('click', () => {
      const ids = [...$('compare-picker').querySelectorAll('input:checked')].map((i) => i.value).slice(0, MAX);
      navigate(`#/compare?vms=${ids.join(',')}`);
    });
  }

  return { wire, open };
}

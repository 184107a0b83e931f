// The VM's operation log on screen (GET /v1/vms/{vmId}/operations), newest first: what was
// called, what the engine answered, and for a failed check the `reason` it names.
import { allPages, getText } from './api.js';
import { busy, h, roleText } from './dom.js';

const SHOWN = 200;

const compact = (v) => (v && typeof v === 'object' ? JSON.stringify(v) : String(v));

/** One line for a logged operation: its fields but the kind, in a stable order. */
function describeOp(op) {
  const { op: kind, vcpuId, gpa, size, ...rest } = op;
  const head = [vcpuId !== undefined ? `vCPU ${vcpuId}` : null, gpa !== undefined ? `gpa ${gpa}` : null, size !== undefined ? `size ${size}` : null];
  const tail = Object.entries(rest).map(([k, v]) => `${k} ${compact(v)}`);
  return [kind, ...head.filter(Boolean), ...tail].join(', ');
}

/** ret/errno (and the root a pre-fault or access used). */
function describeResult(result) {
  if (!result || typeof result !== 'object') return '-';
  const parts = [];
  if ('ret' in result) parts.push(`ret ${result.ret}${result.errno ? ` ${result.errno}` : ''}`);
  if ('root' in result) parts.push(`root ${result.root ? `${result.root.id} ${roleText(result.root)}` : 'null'}`);
  if (Array.isArray(result.mapped) && result.mapped.length) parts.push(`mapped ${result.mapped.reduce((n, m) => n + m.count, 0)}`);
  return parts.join(', ') || 'ok';
}

/** The `reason` of a failed call, or of its first failing iteration row. */
export const reasonOf = (result) => result?.reason ?? result?.iterations?.find((it) => it.reason)?.reason ?? null;

const TRACED = new Set(['pre_fault', 'access']);

/** The event of a `trace-cmd report` line ("...  [000]     7.000000: kvm_mmu_set_spte: ..."). */
const eventOf = (line) => /\[\d+\]\s+\d+\.\d+: (\w+):/.exec(line)?.[1] ?? null;

/** Saves `text` as a file named `name` (a link clicked for the student). */
function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  h('a', { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * The tracepoint events of one logged pre-fault/access, as `trace-cmd report` prints them,
 * in a box right under the row clicked (one box at a time), with a filter by event, Download
 * (what is shown) and Close. The box shows once the text is there (an empty box would be a
 * blank answer).
 */
async function showTrace(row, vmId, seq) {
  const text = await getText(`/v1/vms/${encodeURIComponent(vmId)}/operations/${seq}/trace`);
  const lines = text.split('\n').filter((l) => l !== '');
  const events = [...new Set(lines.map(eventOf).filter(Boolean))];
  const out = h('pre', { class: 'trace-text', 'data-testid': 'trace-text' });
  const filter = h(
    'select',
    { 'data-testid': 'trace-filter', 'aria-label': 'show events' },
    h('option', { value: '' }, 'all events'),
    ...events.map((e) => h('option', { value: e }, e)),
  );
  const shown = () => {
    const kept = filter.value ? lines.filter((l) => eventOf(l) === filter.value) : lines;
    return `# trace of operation ${seq}${filter.value ? `, ${filter.value} only` : ''}\n${kept.map((l) => `${l}\n`).join('')}`;
  };
  filter.addEventListener('change', () => (out.textContent = shown()));
  out.textContent = shown();
  const box = h(
    'tr',
    { class: 'trace-box', 'data-testid': 'trace-box', 'data-seq': seq },
    h(
      'td',
      { colspan: 5 },
      h(
        'div',
        { class: 'trace-tools' },
        h('label', {}, 'event ', filter),
        h(
          'button',
          { type: 'button', 'data-testid': 'trace-download', onclick: () => download(`trace-${vmId.slice(0, 8)}-op${seq}.txt`, shown()) },
          'Download',
        ),
        h('button', { type: 'button', 'data-testid': 'trace-close', onclick: () => box.remove() }, 'Close'),
      ),
      out,
    ),
  );
  row.parentElement.querySelector('tr.trace-box')?.remove();
  row.after(box);
}

export async function showOperations(box, vmId, onError = () => {}) {
  const ops = await allPages(`/v1/vms/${encodeURIComponent(vmId)}/operations?limit=1000`, 'operations', 10);
  const newest = ops.slice(-SHOWN).reverse();
  box.replaceChildren(
    h('p', { class: 'muted' }, `${ops.length} operations${ops.length > SHOWN ? `, the last ${SHOWN} shown` : ''}, newest first`),
    h(
      'table',
      { class: 'grid oplog', 'data-testid': 'oplog' },
      h(
        'thead',
        {},
        h('tr', {}, h('th', {}, 'seq'), h('th', {}, 'operation'), h('th', {}, 'result'), h('th', {}, 'reason'), h('th', {}, 'KVM trace')),
      ),
      h(
        'tbody',
        {},
        ...newest.map((e) => {
          const failed = typeof e.result?.ret === 'number' && e.result.ret < 0;
          const reason = reasonOf(e.result);
          return h(
            'tr',
            { 'data-testid': 'oplog-row', 'data-seq': e.seq, class: failed ? 'failed' : '' },
            h('td', {}, String(e.seq)),
            h('td', {}, describeOp(e.op)),
            h('td', {}, describeResult(e.result)),
            h('td', { class: 'reason' }, reason ?? (failed ? '(no reason given)' : '')),
            h(
              'td',
              {},
              TRACED.has(e.kind)
                ? h(
                    'button',
                    {
                      type: 'button',
                      'data-testid': `trace-${e.seq}`,
                      onclick: (ev) => busy(() => showTrace(ev.target.closest('tr'), vmId, e.seq)).catch(onError),
                    },
                    'events',
                  )
                : '',
            ),
          );
        }),
      ),
    ),
  );
}

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

/**
 * The tracepoint events of one logged pre-fault/access, as `trace-cmd report` prints them.
 * The box shows once the text is there (an empty box would be a blank answer).
 */
async function showTrace(out, vmId, seq) {
  out.textContent = `# trace of operation ${seq}\n${await getText(`/v1/vms/${encodeURIComponent(vmId)}/operations/${seq}/trace`)}`;
  out.hidden = false;
}

export async function showOperations(box, vmId, onError = () => {}) {
  const ops = await allPages(`/v1/vms/${encodeURIComponent(vmId)}/operations?limit=1000`, 'operations', 10);
  const out = h('pre', { class: 'trace-text', 'data-testid': 'trace-text', hidden: true });
  const newest = ops.slice(-SHOWN).reverse();
  box.replaceChildren(
    h('p', { class: 'muted' }, `${ops.length} operations${ops.length > SHOWN ? `, the last ${SHOWN} shown` : ''}, newest first`),
    out,
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
                    { type: 'button', 'data-testid': `trace-${e.seq}`, onclick: () => busy(() => showTrace(out, vmId, e.seq)).catch(onError) },
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

// The walk panel: GET /v1/vms/{vmId}/roots/{rootId}/walk?gpa= drawn level by level (x86
// PML5/PML4 -> PDPT -> PD -> PT, arm64 stage-2 lookup levels, s390 region -> segment -> page
// table): the index taken from the GPA at each level, each entry decoded bit by bit in the
// VM's layout, and where the walk stops (huge leaf, not present, MMIO).
import { get, hex } from './api.js';
import { archOf, entryLayout, layoutName, levelGeometry } from './arch.js';
import { h } from './dom.js';
import { decodeSpte, stepOutcome } from './spte.js';

const KNOWN_STEP_KEYS = new Set(['level', 'index', 'gpaBase', 'spte', 'present', 'leaf', 'mapping', 'lookupLevel', 'table']);

/** The GPA cut into the index fields of a walk from `rootLevel` down, plus the page offset. */
function gpaSplit(vm, gpa, rootLevel, stopLevel) {
  const parts = [];
  for (let level = rootLevel; level >= 1; level--) {
    const { hi, lo, name } = levelGeometry(vm, level);
    // An arm64 root's field runs to the top of the IPA space (concatenated first-level tables).
    const top = level === rootLevel && archOf(vm) === 'arm64' ? Math.max(hi, (vm.guestPhysBits ?? hi + 1) - 1) : hi;
    const idx = Number((gpa >> BigInt(lo)) & ((1n << BigInt(top - lo + 1)) - 1n));
    parts.push(h('span', { class: `gpa-part${level < stopLevel ? ' unused' : ''}`, title: `bits ${top}:${lo}` }, h('small', {}, name), String(idx)));
  }
  const offsetBits = levelGeometry(vm, stopLevel).lo;
  parts.push(
    h(
      'span',
      { class: 'gpa-part offset', title: `bits ${offsetBits - 1}:0` },
      h('small', {}, 'offset'),
      hex(gpa & ((1n << BigInt(offsetBits)) - 1n)),
    ),
  );
  return h('div', { class: 'gpa-split', 'data-testid': 'walk-gpa-split' }, ...parts);
}

function bitChips(decoded) {
  return h(
    'div',
    { class: 'bits' },
    ...decoded.fields.map((f) =>
      h(
        'span',
        { class: `bit ${f.kind}${f.set ? ' set' : ''}`, title: `bit ${f.bits}: ${f.title}`, 'data-bit': f.name, 'data-set': f.set },
        `${f.name}=${f.value}`,
      ),
    ),
  );
}

/** Fields the engine adds to a step (decoded software bits, ...) shown as they come. */
function extras(step) {
  const keys = Object.keys(step).filter((k) => !KNOWN_STEP_KEYS.has(k));
  if (keys.length === 0) return null;
  return h(
    'div',
    { class: 'extras', 'data-testid': 'walk-extras' },
    ...keys.map((k) => h('code', {}, `${k}: ${typeof step[k] === 'object' ? JSON.stringify(step[k]) : step[k]}`)),
  );
}

function renderWalk(box, walk, vm) {
  const vendor = entryLayout(vm);
  const gpa = BigInt(walk.gpa);
  const rootLevel = walk.root?.level ?? walk.steps[0]?.level ?? 4;
  const last = walk.steps.at(-1);
  const stopLevel = last?.leaf ? last.level : 1;
  const nameOf = (step) => (step.lookupLevel !== undefined ? `L${step.lookupLevel}` : (step.table ?? levelGeometry(vm, step.level).name));
  const summary = walk.leafLevel ? `leaf ${walk.leafLevel}` : last && !last.present ? `stops at ${nameOf(last)}: not present` : 'no leaf';
  const steps = walk.steps.map((step) => {
    const decoded = decodeSpte(step.spte, { vendor, leaf: step.leaf, level: step.level });
    const { hi, lo, span } = levelGeometry(vm, step.level);
    const ends = step.leaf || !step.present || decoded.mmio;
    return h(
      'li',
      {
        class: `walk-step${ends ? ' stop' : ''}${step.present ? '' : ' absent'}`,
        'data-testid': `walk-step-${step.level}`,
        'data-leaf': step.leaf,
        'data-present': step.present,
      },
      h(
        'div',
        { class: 'walk-head' },
        h('strong', {}, `${nameOf(step)}[${step.index}]`),
        h('span', { class: 'muted' }, ` gpa bits ${hi}:${lo}; the entry covers ${step.gpaBase} + ${span}`),
      ),
      h(
        'div',
        {},
        h('code', { 'data-testid': 'walk-spte' }, `spte ${step.spte}`),
        ' ',
        h('span', { class: 'outcome', 'data-testid': 'walk-outcome' }, stepOutcome(step, decoded)),
      ),
      step.spte && decoded.value !== 0n ? bitChips(decoded) : null,
      extras(step),
    );
  });
  box.replaceChildren(
    h('p', { 'data-testid': 'walk-summary' }, `root ${walk.root?.id ?? '?'}, gpa ${walk.gpa}: ${summary} (${layoutName(vm)} layout)`),
    gpaSplit(vm, gpa, rootLevel, stopLevel),
    h('ol', { class: 'walk', 'data-testid': 'walk-steps' }, ...steps),
    h(
      'p',
      { class: 'legend-line muted' },
      h('span', { class: 'bit hw set' }, 'hardware bit'),
      ' ',
      h('span', { class: 'bit sw set' }, vm?.arch === 's390' ? 'KVM soft bit' : 'KVM software bit'),
      ' ',
      h('span', { class: 'bit hw' }, 'clear'),
      ' (hover a bit for its meaning)',
    ),
  );
}

/** Fetches and draws the walk of `gpa` in `rootId` of `vm` (its arch and host pick the layout). */
export async function showWalk(box, { vm, rootId, gpa }) {
  if (!rootId) {
    box.replaceChildren(h('p', { class: 'muted' }, 'No root yet: pre-fault or access something first.'));
    return null;
  }
  const walk = await get(`/v1/vms/${encodeURIComponent(vm.id)}/roots/${encodeURIComponent(rootId)}/walk?gpa=${hex(gpa)}`);
  renderWalk(box, walk, vm);
  return walk;
}

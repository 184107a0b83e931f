// The walk panel: GET /v1/vms/{vmId}/roots/{rootId}/walk?gpa= drawn level by level (PML5/PML4
// -> PDPT -> PD -> PT): the index taken from the GPA at each level, each SPTE decoded bit by
// bit for the VM's vendor, and where the walk stops (huge leaf, not present, MMIO).
import { get, hex } from './api.js';
import { h } from './dom.js';
import { decodeSpte, indexBits, LEVEL_NAMES, stepOutcome } from './spte.js';

/** How much guest-physical space one entry of each level maps. */
const ENTRY_SPAN = { 1: '4K', 2: '2M', 3: '1G', 4: '512G', 5: '256T' };
const KNOWN_STEP_KEYS = new Set(['level', 'index', 'gpaBase', 'spte', 'present', 'leaf', 'mapping']);

/** The GPA cut into the index fields of a walk from `rootLevel` down, plus the page offset. */
function gpaSplit(gpa, rootLevel, stopLevel) {
  const parts = [];
  for (let level = rootLevel; level >= 1; level--) {
    const [hi, lo] = indexBits(level);
    const idx = Number((gpa >> BigInt(lo)) & 511n);
    parts.push(
      h(
        'span',
        { class: `gpa-part${level < stopLevel ? ' unused' : ''}`, title: `bits ${hi}:${lo}` },
        h('small', {}, LEVEL_NAMES[level]),
        String(idx),
      ),
    );
  }
  const offsetBits = stopLevel > 1 ? 12 + 9 * (stopLevel - 1) : 12;
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

function renderWalk(box, walk, { vendor }) {
  const gpa = BigInt(walk.gpa);
  const rootLevel = walk.root?.level ?? walk.steps[0]?.level ?? 4;
  const last = walk.steps.at(-1);
  const stopLevel = last?.leaf ? last.level : 1;
  const summary = walk.leafLevel ? `leaf ${walk.leafLevel}` : last && !last.present ? `stops at ${LEVEL_NAMES[last.level]}: not present` : 'no leaf';
  const steps = walk.steps.map((step) => {
    const decoded = decodeSpte(step.spte, { vendor, leaf: step.leaf, level: step.level });
    const [hi, lo] = indexBits(step.level);
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
        h('strong', {}, `${step.lookupLevel !== undefined ? `L${step.lookupLevel}` : (LEVEL_NAMES[step.level] ?? `L${step.level}`)}[${step.index}]`),
        h('span', { class: 'muted' }, ` gpa bits ${hi}:${lo}; the entry covers ${step.gpaBase} + ${ENTRY_SPAN[step.level] ?? '?'}`),
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
    h(
      'p',
      { 'data-testid': 'walk-summary' },
      `root ${walk.root?.id ?? '?'}, gpa ${walk.gpa}: ${summary} (${vendor === 'intel' ? 'EPT' : vendor === 'arm64' ? 'arm64 stage-2 descriptor' : 'NPT'} layout)`,
    ),
    gpaSplit(gpa, rootLevel, stopLevel),
    h('ol', { class: 'walk', 'data-testid': 'walk-steps' }, ...steps),
    h(
      'p',
      { class: 'legend-line muted' },
      h('span', { class: 'bit hw set' }, 'hardware bit'),
      ' ',
      h('span', { class: 'bit sw set' }, 'KVM software bit'),
      ' ',
      h('span', { class: 'bit hw' }, 'clear'),
      ' (hover a bit for its meaning)',
    ),
  );
}

/** Fetches and draws the walk of `gpa` in `rootId`. */
export async function showWalk(box, { vmId, rootId, gpa, vendor }) {
  if (!rootId) {
    box.replaceChildren(h('p', { class: 'muted' }, 'No root yet: pre-fault or access something first.'));
    return null;
  }
  const walk = await get(`/v1/vms/${encodeURIComponent(vmId)}/roots/${encodeURIComponent(rootId)}/walk?gpa=${hex(gpa)}`);
  renderWalk(box, walk, { vendor });
  return walk;
}

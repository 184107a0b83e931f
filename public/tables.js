// The non-leaf tables of a root as a small tree (root -> PDPT -> PD -> PT), derived from the
// root's leaf mappings: every leaf lives in the table of its level, and every table in the
// one above. Tables that hold no leaf (emptied by a zap) are not derivable and only counted.
import { hex } from './api.js';
import { h } from './dom.js';
import { LEVEL_NAMES } from './spte.js';

const LEAF_LEVEL = { '4K': 1, '2M': 2, '1G': 3 };
const MAX_TABLES = 4096;
const MAX_CHILDREN = 24;

/** Bytes one table of `level` covers: 512 entries of the level below. */
const cover = (level) => 1n << BigInt(12 + 9 * level);

/**
 * { level, base, children: Map, leaves: { '4K': n, ... } } for the root, or null when the
 * mappings would need more than MAX_TABLES tables (too big to draw).
 */
function deriveTables(rows, rootLevel) {
  const root = { level: rootLevel, base: 0n, children: new Map(), leaves: {} };
  let tables = 1;
  const node = (level, gpa) => {
    let at = root;
    for (let l = rootLevel - 1; l >= level; l--) {
      const base = (gpa / cover(l)) * cover(l);
      let child = at.children.get(base);
      if (!child) {
        child = { level: l, base, children: new Map(), leaves: {} };
        at.children.set(base, child);
        tables++;
      }
      at = child;
    }
    return at;
  };
  for (const r of rows) {
    const level = LEAF_LEVEL[r.level];
    if (!level || level >= rootLevel) continue;
    const span = cover(level);
    const start = BigInt(r.gpa);
    const end = start + BigInt(r.size);
    const page = cover(level - 1);
    for (let base = (start / span) * span; base < end; base += span) {
      const lo = start > base ? start : base;
      const hi = end < base + span ? end : base + span;
      const table = node(level, base);
      table.leaves[r.level] = (table.leaves[r.level] ?? 0) + Number((hi - lo) / page);
      if (tables > MAX_TABLES) return null;
    }
  }
  return { root, tables };
}

function label(n, parentLevel) {
  const idx = parentLevel ? Number((n.base >> BigInt(12 + 9 * n.level)) & 511n) : null;
  const leaves = Object.entries(n.leaves)
    .map(([lvl, count]) => `${count} x ${lvl}`)
    .join(', ');
  return `${LEVEL_NAMES[n.level] ?? `L${n.level}`}${idx === null ? ' (root)' : `[${idx}]`} ${hex(n.base)}..${hex(n.base + cover(n.level))}${leaves ? `: ${leaves}` : ''}`;
}

function renderNode(n, parentLevel, onPick) {
  const text = h(
    'button',
    {
      type: 'button',
      class: 'link',
      title: "walk this table's first address",
      onclick: () => onPick(n.base),
      'data-testid': `table-${LEVEL_NAMES[n.level]}-${hex(n.base)}`,
    },
    label(n, parentLevel),
  );
  const kids = [...n.children.values()].sort((a, b) => (a.base < b.base ? -1 : 1));
  if (kids.length === 0) return h('li', { 'data-level': n.level }, text);
  const shown = kids.slice(0, MAX_CHILDREN).map((k) => renderNode(k, n.level, onPick));
  if (kids.length > MAX_CHILDREN)
    shown.push(h('li', { class: 'muted' }, `... ${kids.length - MAX_CHILDREN} more ${LEVEL_NAMES[n.level - 1]} tables`));
  // The walk button beside the fold, not inside its summary: a button in a summary is a control in a control.
  const fold = `${kids.length} ${LEVEL_NAMES[n.level - 1] ?? 'lower'} table${kids.length === 1 ? '' : 's'}`;
  return h('li', { 'data-level': n.level }, text, h('details', { open: true }, h('summary', { class: 'muted' }, fold), h('ul', {}, ...shown)));
}

/** Draws the tree into `box`; `counted` is the root's counts.tables from GET roots. */
export function renderTables(box, { rows, root, onPick }) {
  if (!root) {
    box.replaceChildren(h('p', { class: 'muted' }, 'No root yet.'));
    return;
  }
  const derived = deriveTables(rows, root.level);
  if (!derived) {
    box.replaceChildren(h('p', { class: 'muted' }, `More than ${MAX_TABLES} tables: zoom the strip and pick a leaf to walk instead.`));
    return;
  }
  const counted = root.counts?.tables;
  const note =
    counted === undefined
      ? ''
      : counted > derived.tables
        ? ` (the root holds ${counted}; the other ${counted - derived.tables} hold no leaf)`
        : ` (the root holds ${counted})`;
  box.replaceChildren(
    h('p', { class: 'muted', 'data-testid': 'tables-summary' }, `${derived.tables} tables reached by leaves${note}`),
    h('ul', { class: 'tree', 'data-testid': 'tables-tree' }, renderNode(derived.root, null, onPick)),
  );
}

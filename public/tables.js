// The non-leaf tables of a root as a small tree (x86 root -> PDPT -> PD -> PT, arm64 lookup
// levels, s390 region -> segment -> page tables), derived from the root's leaf mappings:
// every leaf lives in the table of its level, and every table in the one above. Tables that
// hold no leaf (emptied by a zap) are not derivable and only counted.
import { hex } from './api.js';
import { archOf, leafSizes, levelGeometry } from './arch.js';
import { h } from './dom.js';

const MAX_TABLES = 4096;
const MAX_CHILDREN = 24;

/** The VM's table geometry: bytes a table of each level covers, its name, a leaf size's level. */
function geometryOf(vm, rootLevel) {
  const sizes = leafSizes(vm);
  // An arm64 root may be several concatenated tables: it covers the whole IPA space.
  const rootBits = archOf(vm) === 'arm64' ? (vm.guestPhysBits ?? 0) : 0;
  return {
    /** Every entry of a `level` table: up to the bit above its index field. */
    cover: (level) => 1n << BigInt(Math.max(levelGeometry(vm, level).hi + 1, level === rootLevel ? rootBits : 0)),
    /** What one entry of a `level` table maps: a leaf of that level. */
    entry: (level) => 1n << BigInt(levelGeometry(vm, level).lo),
    name: (level) => levelGeometry(vm, level)?.name ?? `L${level}`,
    leafLevel: (size) => sizes.indexOf(size) + 1 || null,
    /** The index of a table based at `base` in its parent (of level + 1). */
    index: (base, level) => {
      const { hi, lo } = levelGeometry(vm, level + 1);
      return Number((base >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n));
    },
  };
}

/**
 * { level, base, children: Map, leaves: { '4K': n, ... } } for the root, or null when the
 * mappings would need more than MAX_TABLES tables (too big to draw).
 */
function deriveTables(rows, rootLevel, { cover, entry, leafLevel }) {
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
    const level = leafLevel(r.level);
    if (!level || level >= rootLevel) continue;
    const span = cover(level);
    const start = BigInt(r.gpa);
    const end = start + BigInt(r.size);
    const page = entry(level);
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

function label(n, parentLevel, { cover, name, index }) {
  const idx = parentLevel ? index(n.base, n.level) : null;
  const leaves = Object.entries(n.leaves)
    .map(([lvl, count]) => `${count} x ${lvl}`)
    .join(', ');
  return `${name(n.level)}${idx === null ? ' (root)' : `[${idx}]`} ${hex(n.base)}..${hex(n.base + cover(n.level))}${leaves ? `: ${leaves}` : ''}`;
}

function renderNode(n, parentLevel, onPick, geo) {
  const text = h(
    'button',
    {
      type: 'button',
      class: 'link',
      title: "walk this table's first address",
      onclick: () => onPick(n.base),
      'data-testid': `table-${geo.name(n.level)}-${hex(n.base)}`,
    },
    label(n, parentLevel, geo),
  );
  const kids = [...n.children.values()].sort((a, b) => (a.base < b.base ? -1 : 1));
  if (kids.length === 0) return h('li', { 'data-level': n.level }, text);
  const shown = kids.slice(0, MAX_CHILDREN).map((k) => renderNode(k, n.level, onPick, geo));
  if (kids.length > MAX_CHILDREN) shown.push(h('li', { class: 'muted' }, `... ${kids.length - MAX_CHILDREN} more ${geo.name(n.level - 1)} tables`));
  // The walk button beside the fold, not inside its summary: a button in a summary is a control in a control.
  const fold = `${kids.length} ${geo.name(n.level - 1)} table${kids.length === 1 ? '' : 's'}`;
  return h('li', { 'data-level': n.level }, text, h('details', { open: true }, h('summary', { class: 'muted' }, fold), h('ul', {}, ...shown)));
}

/** Draws the tree of `root` (a root of `vm`) into `box`; `counted` is the root's counts.tables from GET roots. */
export function renderTables(box, { rows, root, vm, onPick }) {
  if (!root) {
    box.replaceChildren(h('p', { class: 'muted' }, 'No root yet.'));
    return;
  }
  const geo = geometryOf(vm, root.level);
  const derived = deriveTables(rows, root.level, geo);
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
    h('ul', { class: 'tree', 'data-testid': 'tables-tree' }, renderNode(derived.root, null, onPick, geo)),
  );
}

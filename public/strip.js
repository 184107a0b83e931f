// Draws one root's leaves as a horizontal strip of guest-physical space (SVG): colour by
// level, hatch for private, grey for MMIO, a dark border for Accessed, a red bar above
// leaves the last call installed, memslots as a band below. Also hover and drag-to-zoom.
import { hex } from './api.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 1000;
const LEAF_Y = 18;
const LEAF_H = 46;
const COLOURS = { '4K': 'var(--l4k)', '2M': 'var(--l2m)', '1G': 'var(--l1g)' };

function el(name, attrs, parent) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  parent?.appendChild(node);
  return node;
}

/** x position of a gpa in [from, to), in viewBox units (BigInt-exact before scaling). */
const xOf = (gpa, from, to) => {
  const clamped = gpa < from ? from : gpa > to ? to : gpa;
  return Number(((clamped - from) * 1000000n) / (to - from)) / (1000000 / W);
};

function defs(svg) {
  const d = el('defs', {}, svg);
  const p = el('pattern', { id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, d);
  el('rect', { width: 2.5, height: 6, fill: '#000', 'fill-opacity': 0.45 }, p);
}

function axis(svg, from, to) {
  for (let i = 0; i <= 4; i++) {
    const x = (W * i) / 4;
    el('line', { x1: x, x2: x, y1: LEAF_Y + LEAF_H, y2: LEAF_Y + LEAF_H + 4, stroke: '#999' }, svg);
    const t = el('text', { x: Math.min(Math.max(x, 2), W - 2), y: 92, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' }, svg);
    t.textContent = hex(from + ((to - from) * BigInt(i)) / 4n);
  }
}

const overlaps = (a, b) => BigInt(a.gpa) < BigInt(b.gpa) + BigInt(b.size) && BigInt(b.gpa) < BigInt(a.gpa) + BigInt(a.size);

/**
 * Redraw. rows: mapping rows of the root; newRows: rows the last call installed;
 * slots: { gpa, size } of the memslots in the root's address space.
 */
export function drawStrip(svg, { from, to, rows, newRows, slots }) {
  svg.replaceChildren();
  defs(svg);
  el('rect', { x: 0, y: LEAF_Y, width: W, height: LEAF_H, fill: '#f0f1f4' }, svg);
  for (const s of slots) {
    const x1 = xOf(BigInt(s.gpa), from, to);
    const x2 = xOf(BigInt(s.gpa) + BigInt(s.size), from, to);
    if (x2 > x1) el('rect', { x: x1, y: LEAF_Y + LEAF_H + 5, width: Math.max(x2 - x1, 1), height: 6, fill: 'var(--slot)', 'data-testid': 'memslot' }, svg);
  }
  for (const row of rows) {
    const start = BigInt(row.gpa);
    const end = start + BigInt(row.size);
    if (end <= from || start >= to) continue;
    const x1 = xOf(start, from, to);
    const width = Math.max(xOf(end, from, to) - x1, 1);
    const isNew = newRows.some((n) => n.level === row.level && n.kind === row.kind && overlaps(n, row));
    const attrs = {
      class: 'leaf',
      x: x1,
      y: LEAF_Y,
      width,
      height: LEAF_H,
      fill: row.kind === 'mmio' ? 'var(--mmio)' : COLOURS[row.level],
      stroke: row.accessed ? '#111' : '#fff',
      'stroke-width': row.accessed ? 2 : 0.5,
      'vector-effect': 'non-scaling-stroke',
      'data-gpa': row.gpa,
      'data-size': row.size,
      'data-level': row.level,
      'data-count': row.count,
      'data-kind': row.kind,
      'data-private': row.private,
      'data-accessed': row.accessed,
      'data-new': isNew,
    };
    const rect = el('rect', attrs, svg);
    rect.__row = row;
    if (row.private) el('rect', { x: x1, y: LEAF_Y, width, height: LEAF_H, fill: 'url(#hatch)', 'pointer-events': 'none' }, svg);
    if (isNew) el('rect', { x: x1, y: LEAF_Y - 8, width, height: 5, fill: 'var(--new)', 'pointer-events': 'none', 'data-testid': 'new-marker' }, svg);
  }
  axis(svg, from, to);
}

export function describeRow(row) {
  return [
    `${row.gpa} + ${row.size}  (${row.count} x ${row.level} ${row.kind})`,
    `hostPfn ${row.hostPfn ?? '-'}${row.private ? '  private' : '  shared'}`,
    `W ${+row.writable}  X ${+row.executable}  A ${+row.accessed}  D ${+row.dirty}`,
  ].join('\n');
}

/** Hover shows a leaf's bits; dragging selects a range and calls onZoom(from, to). */
export function attachStripEvents(svg, tooltip, getRange, onZoom) {
  const toGpa = (clientX) => {
    const box = svg.getBoundingClientRect();
    const { from, to } = getRange();
    const frac = Math.min(Math.max((clientX - box.left) / box.width, 0), 1);
    return from + ((to - from) * BigInt(Math.round(frac * 1e6))) / 1000000n;
  };
  let dragStart = null;
  let band = null;
  svg.addEventListener('mousemove', (ev) => {
    const row = ev.target.__row;
    if (row && !dragStart) {
      tooltip.hidden = false;
      tooltip.textContent = describeRow(row);
      const box = svg.parentElement.getBoundingClientRect();
      tooltip.style.left = `${Math.min(ev.clientX - box.left + 12, box.width - 260)}px`;
      tooltip.style.top = `${ev.clientY - box.top + 12}px`;
    } else tooltip.hidden = true;
    if (dragStart !== null && band) {
      const box = svg.getBoundingClientRect();
      const x = ((ev.clientX - box.left) / box.width) * W;
      band.setAttribute('x', String(Math.min(x, dragStart.x)));
      band.setAttribute('width', String(Math.abs(x - dragStart.x)));
    }
  });
  svg.addEventListener('mouseleave', () => (tooltip.hidden = true));
  svg.addEventListener('mousedown', (ev) => {
    const box = svg.getBoundingClientRect();
    dragStart = { gpa: toGpa(ev.clientX), x: ((ev.clientX - box.left) / box.width) * W };
    band = el('rect', { x: dragStart.x, y: 0, width: 0, height: 96, fill: '#4c9be833', stroke: '#4c9be8' }, svg);
  });
  window.addEventListener('mouseup', (ev) => {
    if (dragStart === null) return;
    const a = dragStart.gpa;
    const b = toGpa(ev.clientX);
    dragStart = null;
    band?.remove();
    band = null;
    const lo = (a < b ? a : b) & ~0xfffn;
    const hi = ((a < b ? b : a) + 0xfffn) & ~0xfffn;
    if (hi - lo >= 0x1000n) onZoom(lo, hi);
  });
}

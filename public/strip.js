// Draws one root's leaves as a horizontal strip of guest-physical space (SVG): colour by
// level, hatch for private, grey for MMIO, a dark border for Accessed, a red bar above
// leaves the last call installed, memslots as a band below. A coalesced row splits into
// one cell per page once a page is wide enough to see. Ticks sit on power-of-two (block-
// aligned when the span allows: 2M on x86) boundaries, labelled in HTML so they never
// stretch; dashed guides mark the arch's middle leaf size (x86 2M, arm64 64K 512M, s390 1M).
// Also hover, drag-to-zoom and click-to-pick (the walk panel), and the same from the
// keyboard: the focused strip has a cursor that arrow keys move and Enter walks.
import { hex } from './api.js';
import { leafBytes, leafRank } from './arch.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 1000;
const LEAF_Y = 18;
const LEAF_H = 46;
/** By a leaf's rank in its arch (base page, middle block, largest): 4K/2M/1G, 64K/512M, 4K/1M/2G... */
const COLOURS = ['var(--l4k)', 'var(--l2m)', 'var(--l1g)'];
/** A page narrower than this (viewBox units, ~px at full width) stays part of its row's bar. */
const MIN_CELL = 3;
const TWO_M = 0x200000n;

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

/** The tick step: the smallest power of two (from 4K) that gives at most 8 intervals. */
function tickStep(from, to) {
  let step = 0x1000n;
  while ((to - from) / step > 8n) step <<= 1n;
  return step;
}

/** Ticks at multiples of the step; block boundaries get a dashed guide when the step is finer. */
function axis(svg, from, to, block) {
  const step = tickStep(from, to);
  const labels = [];
  for (let t = ((from + step - 1n) / step) * step; t <= to; t += step) {
    const x = xOf(t, from, to);
    const major = t % block === 0n;
    el(
      'line',
      {
        x1: x,
        x2: x,
        y1: LEAF_Y + LEAF_H + 12,
        y2: LEAF_Y + LEAF_H + (major ? 18 : 15),
        stroke: major ? '#555' : '#999',
        'vector-effect': 'non-scaling-stroke',
        'data-testid': 'tick',
        'data-gpa': hex(t),
      },
      svg,
    );
    labels.push({ x, text: hex(t) });
  }
  if (step < block && (to - from) / block <= 64n) {
    for (let t = ((from + block - 1n) / block) * block; t < to; t += block) {
      const x = xOf(t, from, to);
      el(
        'line',
        {
          x1: x,
          x2: x,
          y1: LEAF_Y - 10,
          y2: LEAF_Y + LEAF_H,
          stroke: 'var(--ink)',
          'stroke-dasharray': '3 3',
          'vector-effect': 'non-scaling-stroke',
          'pointer-events': 'none',
          'data-testid': 'block-guide',
          'data-gpa': hex(t),
        },
        svg,
      );
    }
  }
  return labels;
}

/** Space kept between two axis labels, in px. */
const LABEL_GAP = 6;

/**
 * HTML tick labels under the SVG (text inside a stretched viewBox would be distorted). Each
 * label is centred on its tick but kept inside the strip, and one that would touch the label
 * before it is left out: measured, so it holds at any column width and address length.
 */
function axisLabels(svg, labels) {
  let box = svg.nextElementSibling;
  if (!box?.classList.contains('axis')) {
    box = document.createElement('div');
    box.className = 'axis';
    svg.after(box);
  }
  const spans = labels.map((l) => {
    const span = document.createElement('span');
    span.textContent = l.text;
    return span;
  });
  box.replaceChildren(...spans);
  // A hidden strip measures 0: place as if 1000 px wide; percentages keep that sane later.
  const room = box.getBoundingClientRect().width || W;
  let right = -Infinity;
  for (const [i, span] of spans.entries()) {
    const width = span.getBoundingClientRect().width;
    const left = Math.max(0, Math.min((labels[i].x / W) * room - width / 2, room - width));
    if (left < right + LABEL_GAP) {
      span.remove();
      continue;
    }
    span.style.left = `${(left / room) * 100}%`;
    right = left + width;
  }
}

const overlaps = (a, b) => BigInt(a.gpa) < BigInt(b.gpa) + BigInt(b.size) && BigInt(b.gpa) < BigInt(a.gpa) + BigInt(a.size);

/**
 * Redraw. rows: mapping rows of the root; newRows: rows the last call installed;
 * slots: { gpa, size } of the memslots in the root's address space.
 */
export function drawStrip(svg, { from, to, rows, newRows, slots, block = TWO_M }) {
  svg.replaceChildren();
  defs(svg);
  el('rect', { x: 0, y: LEAF_Y, width: W, height: LEAF_H, fill: 'var(--strip-empty)' }, svg);
  for (const s of slots) {
    const x1 = xOf(BigInt(s.gpa), from, to);
    const x2 = xOf(BigInt(s.gpa) + BigInt(s.size), from, to);
    if (x2 > x1)
      el('rect', { x: x1, y: LEAF_Y + LEAF_H + 5, width: Math.max(x2 - x1, 1), height: 6, fill: 'var(--slot)', 'data-testid': 'memslot' }, svg);
  }
  for (const row of rows) {
    const start = BigInt(row.gpa);
    const end = start + BigInt(row.size);
    if (end <= from || start >= to) continue;
    const isNew = newRows.some((n) => n.level === row.level && n.kind === row.kind && overlaps(n, row));
    const page = leafBytes(row.level) ?? BigInt(row.size);
    const cellWidth = xOf(from + page, from, to) - xOf(from, from, to);
    if (row.count > 1 && cellWidth >= MIN_CELL) {
      // Zoomed in: one cell per page of the visible part of the row.
      const first = start > from ? start : start + ((from - start) / page) * page;
      for (let p = first; p < end && p < to; p += page) drawLeaf(svg, row, p, p + page, { from, to, isNew, cell: true });
    } else drawLeaf(svg, row, start, end, { from, to, isNew, cell: false });
  }
  const labels = axis(svg, from, to, block);
  axisLabels(svg, labels);
}

function drawLeaf(svg, row, start, end, { from, to, isNew, cell }) {
  const x1 = xOf(start, from, to);
  const width = Math.max(xOf(end, from, to) - x1, 1);
  // Cells get a visible gutter; the white border alone vanishes in a long run.
  const gap = cell ? Math.min(1, width / 6) : 0;
  const attrs = {
    class: 'leaf',
    x: x1 + gap / 2,
    y: LEAF_Y,
    width: width - gap,
    height: LEAF_H,
    fill: row.kind === 'mmio' ? 'var(--mmio)' : COLOURS[leafRank(row.level)],
    stroke: row.accessed ? '#111' : 'var(--strip-bg)',
    'stroke-width': row.accessed ? 2 : 0.5,
    'vector-effect': 'non-scaling-stroke',
    'data-gpa': cell ? hex(start) : row.gpa,
    'data-size': cell ? hex(end - start) : row.size,
    'data-level': row.level,
    'data-count': cell ? 1 : row.count,
    'data-cell': cell,
    'data-kind': row.kind,
    'data-private': row.private,
    'data-accessed': row.accessed,
    'data-new': isNew,
  };
  const rect = el('rect', attrs, svg);
  rect.__row = row;
  rect.__page = cell ? start : null;
  if (row.private) el('rect', { x: x1, y: LEAF_Y, width, height: LEAF_H, fill: 'url(#hatch)', 'pointer-events': 'none' }, svg);
  if (isNew) el('rect', { x: x1, y: LEAF_Y - 8, width, height: 5, fill: 'var(--new)', 'pointer-events': 'none', 'data-testid': 'new-marker' }, svg);
}

function describeRow(row, page = null) {
  return [
    ...(page === null ? [] : [`page ${hex(page)} of the row:`]),
    `${row.gpa} + ${row.size}  (${row.count} x ${row.level} ${row.kind})`,
    `hostPfn ${row.hostPfn ?? '-'}${row.private ? '  private' : '  shared'}`,
    `W ${+row.writable}  X ${+row.executable}  A ${+row.accessed}  D ${+row.dirty}`,
  ].join('\n');
}

/** The drawn leaf (a row, or a page of one) that holds `gpa`, if any. */
function leafAt(svg, gpa) {
  for (const rect of svg.querySelectorAll('rect.leaf')) {
    const start = BigInt(rect.getAttribute('data-gpa'));
    if (gpa >= start && gpa < start + BigInt(rect.getAttribute('data-size'))) return rect;
  }
  return null;
}

/** The keyboard cursor: a line at `x` (viewBox units) for `gpa`; a redraw of the strip drops it. */
function drawCursor(svg, x, gpa) {
  const attrs = {
    x1: x,
    x2: x,
    y1: 2,
    y2: LEAF_Y + LEAF_H + 4,
    stroke: 'var(--focus)',
    'stroke-width': 3,
    'vector-effect': 'non-scaling-stroke',
    'pointer-events': 'none',
    'data-testid': 'strip-cursor',
    'data-gpa': hex(gpa),
  };
  const line = svg.querySelector('[data-testid="strip-cursor"]') ?? el('line', attrs, svg);
  for (const [k, v] of Object.entries(attrs)) line.setAttribute(k, String(v));
}

/** How far an arrow key moves the cursor: a page-aligned 1/64 of the span (Shift: 1/8). */
const cursorStep = (from, to, big) => {
  let step = 0x1000n;
  while ((to - from) / step > (big ? 8n : 64n)) step <<= 1n;
  return step;
};

/**
 * The keyboard's way in: the strip is a slider over the visible range. Arrow keys move a
 * page-aligned cursor (Shift: further; Home/End: the ends), the tooltip and the slider's
 * value text say what is under it, Enter or Space walks it (as a click does).
 */
function attachStripKeys(svg, tooltip, getRange, onPick) {
  let cursor = null;
  const show = () => {
    const { from, to } = getRange();
    if (cursor === null || cursor < from || cursor >= to) cursor = from;
    const x = xOf(cursor, from, to);
    drawCursor(svg, x, cursor);
    const leaf = leafAt(svg, cursor);
    const width = svg.getBoundingClientRect().width;
    tooltip.hidden = false;
    tooltip.textContent = leaf ? `${hex(cursor)}\n${describeRow(leaf.__row, leaf.__page)}` : `${hex(cursor)}: nothing mapped`;
    tooltip.style.left = `${Math.max(0, Math.min((x / W) * width, width - 260))}px`;
    tooltip.style.top = '100px';
    svg.setAttribute('aria-valuenow', String(Math.round(x)));
    svg.setAttribute('aria-valuetext', leaf ? `${hex(cursor)}: ${leaf.__row.level} ${leaf.__row.kind} leaf` : `${hex(cursor)}: nothing mapped`);
  };
  svg.setAttribute('tabindex', '0');
  svg.setAttribute('role', 'slider');
  svg.setAttribute('aria-valuemin', '0');
  svg.setAttribute('aria-valuemax', String(W));
  svg.setAttribute('aria-valuenow', '0');
  svg.addEventListener('focus', show);
  svg.addEventListener('blur', () => {
    tooltip.hidden = true;
    svg.querySelector('[data-testid="strip-cursor"]')?.remove();
  });
  svg.addEventListener('keydown', (ev) => {
    const { from, to } = getRange();
    const at = cursor === null || cursor < from || cursor >= to ? from : cursor;
    const step = cursorStep(from, to, ev.shiftKey);
    const last = (to - 1n) & ~0xfffn;
    const moves = {
      ArrowRight: at + step,
      ArrowUp: at + step,
      ArrowLeft: at - step,
      ArrowDown: at - step,
      Home: from,
      End: last,
    };
    if (ev.key in moves) {
      const next = moves[ev.key];
      cursor = (next < from ? from : next > last ? last : next) & ~0xfffn;
      if (cursor < from) cursor = from;
      show();
    } else if (ev.key === 'Enter' || ev.key === ' ') onPick(at & ~0xfffn);
    else return;
    ev.preventDefault();
  });
}

/**
 * Hover shows a leaf's bits; dragging selects a range and calls onZoom(from, to); a click
 * (no drag) calls onPick(gpa) with the page-aligned address under the pointer.
 */
export function attachStripEvents(svg, tooltip, getRange, onZoom, onPick = () => {}) {
  attachStripKeys(svg, tooltip, getRange, onPick);
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
      tooltip.textContent = describeRow(row, ev.target.__page);
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
    dragStart = { gpa: toGpa(ev.clientX), x: ((ev.clientX - box.left) / box.width) * W, clientX: ev.clientX };
    band = el('rect', { x: dragStart.x, y: 0, width: 0, height: 100, fill: '#4c9be833', stroke: '#4c9be8' }, svg);
  });
  window.addEventListener('mouseup', (ev) => {
    if (dragStart === null) return;
    const a = dragStart.gpa;
    const b = toGpa(ev.clientX);
    const click = Math.abs(ev.clientX - dragStart.clientX) < 4;
    dragStart = null;
    band?.remove();
    band = null;
    const lo = (a < b ? a : b) & ~0xfffn;
    const hi = ((a < b ? b : a) + 0xfffn) & ~0xfffn;
    if (click) onPick(a & ~0xfffn);
    else if (hi - lo >= 0x1000n) onZoom(lo, hi);
  });
}

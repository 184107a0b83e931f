// Tiny DOM helpers shared by every page and panel: build elements, find by data-testid.

/** h('li', { class: 'x', onclick: fn }, 'text', child) -> element. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    // data-* keep "false"; a boolean attribute (checked, open, ...) is present or absent.
    else if (typeof v === 'boolean' && !k.startsWith('data-')) node.toggleAttribute(k, v);
    else node.setAttribute(k, String(v));
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** The element with this data-testid: the pages and their tests name elements the same way. */
export const $ = (id, root = document) => root.querySelector(`[data-testid="${id}"]`);

/** A table row of text cells. */
export const row = (cells, attrs = {}) => h('tr', attrs, ...cells.map((c) => (c instanceof Node ? h('td', {}, c) : h('td', {}, String(c ?? '-')))));

/** "L4 smm0 gm0" for an x86 root role; an arm64/s390 root by its kind ("s2-nested from L1", "gmap region3"). */
export const roleText = (r) => {
  if (!r) return '-';
  if (r.kind === 'gmap') return `gmap ${r.asceType ?? ''}`.trim();
  if (r.kind) return `${r.kind} from L${r.startLevel}`;
  return `L${r.level} smm${+r.smm} gm${+r.guestMode}${r.addressSpace !== undefined ? ` as${r.addressSpace}` : ''}${r.mirror ? ' mirror' : ''}`;
};

/** The mode a vCPU is in, as a student would say it (an arm64 vCPU: vEL2 and whether it last ran nested). */
export const vcpuMode = (v) => {
  if (v.initialized === false) return 'not initialised';
  if (v.lastRanNested) return 'last ran nested (L2)';
  if (v.el2) return 'vEL2, L1';
  return v.smm ? 'SMM' : v.guestMode ? (v.nestedTdp ? 'L2, nested TDP' : 'L2, L1 shadow paging') : 'L1';
};

let pending = 0;
/**
 * Runs `fn` with body[data-ready] "false" until it (and any other busy work) settles, so a
 * test (or a screenshot) can wait for the page to be quiet after an action.
 */
export async function busy(fn) {
  pending++;
  document.body.dataset.ready = 'false';
  try {
    return await fn();
  } finally {
    if (--pending === 0) document.body.dataset.ready = 'true';
  }
}

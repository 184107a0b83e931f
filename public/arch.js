// What the viewer says differently per architecture: an x86 VM's EPT/NPT, an arm64 VM's
// stage-2 (granule, IPA size, levels) and an s390 VM's gmap (DAT region/segment/page
// tables). The leaf sizes, the one-line header, the walk's index fields and the layout the
// walk decodes entries with all come from here, so the panels stay arch-blind.

export const archOf = (vm) => vm?.arch ?? 'x86';

/** Leaf sizes an arch's tables can hold, smallest first (the strip's three colours). */
const ARM64_LEAVES = { '4K': ['4K', '2M', '1G'], '16K': ['16K', '32M'], '64K': ['64K', '512M'] };
export function leafSizes(vm) {
  const arch = archOf(vm);
  if (arch === 'arm64') return ARM64_LEAVES[vm.host?.granule] ?? ARM64_LEAVES['4K'];
  if (arch === 's390') return ['4K', '1M', '2G'];
  return ['4K', '2M', '1G'];
}

/** A leaf size's bytes ("4K", "512M", "2G"), or null for anything else. */
export function leafBytes(size) {
  const m = /^(\d+)([KMG])$/.exec(size ?? '');
  return m ? BigInt(m[1]) << BigInt({ K: 10, M: 20, G: 30 }[m[2]]) : null;
}

/** The arch's middle leaf size (x86 2M, arm64 64K granule 512M, s390 1M): the strip's dashed guides. */
export const blockSize = (vm) => leafSizes(vm)[1];

/** A leaf size's rank among any arch's sizes: 0 the base page, 1 the middle block, 2 the largest. */
const RANK = { '4K': 0, '16K': 0, '64K': 0, '2M': 1, '32M': 1, '512M': 1, '1M': 1, '1G': 2, '2G': 2 };
export const leafRank = (level) => RANK[level];

const onOff = (b) => (b ? 'on' : 'off');

/** The VM in one line, in its arch's own terms. */
export function vmSummary(vm) {
  const head = `${vm.type}, kernel ${vm.kernel}`;
  const tail = `preFaultAllowed ${vm.preFaultAllowed}`;
  const arch = archOf(vm);
  if (arch === 'arm64') {
    const g = vm.arm64 ?? {};
    const concat = g.concatenatedTables > 1 ? ` (${g.concatenatedTables} concatenated tables)` : '';
    return (
      `${head}, arm64 stage-2: ${vm.host.granule} granule, IPA ${g.ipaBits} bits, ${g.stage2Levels} levels from level ${g.startLevel}${concat}, ` +
      `pKVM ${onOff(vm.host.pkvm)}, nested ${onOff(vm.host.nestedVirt)}, ${tail}`
    );
  }
  if (arch === 's390') {
    const s = vm.s390 ?? {};
    return (
      `${head}, s390 gmap: memLimit ${s.memLimit}, asceType ${s.asceType ?? 'none'}, ` +
      `hpage 1M ${onOff(s.hpage1m)} / 2G ${onOff(s.hpage2g)}, ${tail}`
    );
  }
  return `${vm.type}, ${vm.prefaultPolicy}, kernel ${vm.kernel}, ${hostMmu(vm)}, ${tail}`;
}

/** The MMU in a few words (the compare page's "host MMU" row). */
export function hostMmu(vm) {
  const arch = archOf(vm);
  if (arch === 'arm64') return `arm64 stage-2, ${vm.host.granule} granule, ${vm.arm64?.stage2Levels ?? '?'} levels`;
  if (arch === 's390') return `s390 gmap, ${vm.s390?.asceType ?? 'no'} ASCE`;
  return `${vm.host.vendor} ${vm.host.tdp ? (vm.host.vendor === 'intel' ? 'EPT' : 'NPT') : 'shadow paging'}`;
}

/** The entry layout the walk decodes with (public/spte.js): intel, amd, arm64 or s390. */
export const entryLayout = (vm) => (archOf(vm) === 'x86' ? vm?.host?.vendor : archOf(vm));

const ARM64_SHIFT = { '4K': 12, '16K': 14, '64K': 16 };
const S390_NAMES = { 1: 'page', 2: 'segment', 3: 'region3', 4: 'region2', 5: 'region1' };
const S390_SPAN = { 1: '4K', 2: '1M', 3: '2G', 4: '4T', 5: '8P' };
const X86_NAMES = { 5: 'PML5', 4: 'PML4', 3: 'PDPT', 2: 'PD', 1: 'PT' };
const X86_SPAN = { 1: '4K', 2: '2M', 3: '1G', 4: '512G', 5: '256T' };
const sizeText = (shift) => {
  const units = ['K', 'M', 'G', 'T', 'P'];
  const u = Math.min(Math.floor((shift - 10) / 10), units.length - 1);
  return `${2 ** (shift - 10 - 10 * u)}${units[u]}`;
};

/**
 * Where level `level` (1 = the last table) takes its index from the GPA: bits hi:lo, the
 * table's name, and what one entry maps. arm64 follows the granule (a table holds
 * granule/8 entries); s390 has 256-entry page tables and 2048-entry segment/region tables.
 */
export function levelGeometry(vm, level) {
  const arch = archOf(vm);
  if (arch === 'arm64') {
    const shift = ARM64_SHIFT[vm.host?.granule] ?? 12;
    const lo = shift + (shift - 3) * (level - 1);
    const start = vm.arm64?.startLevel ?? 0;
    const levels = vm.arm64?.stage2Levels ?? 4;
    return { lo, hi: lo + shift - 4, name: `L${start + levels - level}`, span: sizeText(lo) };
  }
  if (arch === 's390') {
    const lo = level === 1 ? 12 : 20 + 11 * (level - 2);
    return { lo, hi: lo + (level === 1 ? 7 : 10), name: S390_NAMES[level], span: S390_SPAN[level] };
  }
  const lo = 12 + 9 * (level - 1);
  return { lo, hi: lo + 8, name: X86_NAMES[level], span: X86_SPAN[level] };
}

/** The walk's name for its layout. */
export function layoutName(vm) {
  const arch = archOf(vm);
  if (arch === 'arm64') return 'arm64 stage-2 descriptor';
  if (arch === 's390') return 's390 DAT entry';
  return vm?.host?.vendor === 'intel' ? 'EPT' : 'NPT';
}

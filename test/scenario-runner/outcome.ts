// The scenario runner's own reading of a step's `expect` (format: test/scenarios/README.md).
// It is the oracle of every scenario test, so it imports nothing from src/: if the product's
// comparison (src/labs/scenario-io.ts) were wrong or empty, these checks still fail where an
// outcome differs. It reads the format from its meaning, not from the product's layout:
// iteration runs and mapping runs are expanded to single iterations and single leaves before
// comparing, so two ways of grouping the same outcome agree and nothing else does.

type Json = Record<string, any>;

/** Leaf sizes of x86 (4K/2M/1G), the arm64 granules and their blocks, and s390 (1M/2G). */
const LEVEL_BYTES: Record<string, bigint> = {
  '4K': 0x1000n,
  '16K': 0x4000n,
  '64K': 0x10000n,
  '1M': 0x100000n,
  '2M': 0x200000n,
  '32M': 0x2000000n,
  '512M': 0x20000000n,
  '1G': 0x40000000n,
  '2G': 0x80000000n,
};

/** Linux errno numbers (include/uapi/asm-generic/errno-base.h, errno.h). */
const ERRNO: Record<string, number> = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOTTY: 25,
  ENOSPC: 28,
  EOPNOTSUPP: 95,
  EHWPOISON: 133,
};

/** Every key a step's `expect` may hold; anything else is reported, never skipped silently. */
const KNOWN_KEYS = new Set([
  'ret',
  'gpa_out',
  'size_out',
  'iterations',
  'mappings_added',
  'mappings',
  'roots_created',
  'exit',
  'result',
  'new_mappings',
  'accessed_set',
  'note',
  'reason',
  'alternate',
  'value',
]);

const u64 = (v: unknown): bigint => {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' || (typeof v === 'string' && /^(0x[0-9a-f]+|[0-9]+)$/i.test(v))) return BigInt(v);
  throw new Error(`not a u64: ${JSON.stringify(v)}`);
};
const hex = (v: bigint): string => `0x${v.toString(16)}`;
const show = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? hex(x) : x));

/**
 * The expectation of a step under one host variant (`when`, e.g. {"host.mmio_caching": false}):
 * `expect`, with the fields of its `alternate` replacing the base ones when the alternate's
 * `when` is the variant. `expect_by_version` picks the entry named after the kernel version.
 */
export function expectationOf(step: Json, when: Json, kernel: string): Json | null {
  let base: Json | undefined = step.expect;
  if (step.expect_by_version) {
    base = step.expect_by_version[kernel];
    if (!base) throw new Error(`expect_by_version has no entry for kernel ${kernel}: ${Object.keys(step.expect_by_version).join(', ')}`);
  }
  if (!base) return null;
  const { alternate, ...rest } = base;
  const variant = Object.keys(when).length > 0;
  if (!variant) return rest;
  if (alternate && show(alternate.when) === show(when)) {
    const { when: _when, ...fields } = alternate;
    return { ...rest, ...fields };
  }
  return rest;
}

/** What a `ret` of the format (0 or "-ENAME") says the result's `ret`/`errno` are. */
function retDiffers(expected: unknown, r: Json): string | null {
  const got = r.ret === 0 && (r.errno ?? null) === null ? 0 : `${r.ret}/${r.errno}`;
  if (expected === 0 || expected === '0') return got === 0 ? null : `ret: expected 0, got ${show(got)}`;
  const name = String(expected).replace(/^-/, '');
  const number = ERRNO[name];
  const ok = r.errno === name && (number === undefined ? r.ret < 0 : r.ret === -number);
  return ok ? null : `ret: expected ${show(expected)} (${number === undefined ? '<0' : -number}/${name}), got ${show(got)}`;
}

interface Iteration {
  gpa: bigint;
  result: string;
  level?: string | null;
  consumed?: bigint;
  errno: string | null;
  /** arm64: the synthetic fault's status code and the attempts made (expected: only when the row names them). */
  fsc?: string | null;
  attempts?: number;
}

/** Single iterations of expected rows: `count` of them, the gpa advancing by `gpa_step` (default: `consumed`). */
function* expectedIterations(rows: Json[]): Generator<Iteration> {
  for (const row of rows) {
    const consumed = row.consumed === undefined ? undefined : u64(row.consumed);
    const step = row.gpa_step !== undefined ? u64(row.gpa_step) : (consumed ?? 0n);
    for (let k = 0; k < (row.count ?? 1); k++) {
      yield {
        gpa: u64(row.gpa) + BigInt(k) * step,
        result: row.result,
        level: row.level,
        consumed,
        errno: row.errno === undefined || row.errno === null ? null : String(row.errno).replace(/^-/, ''),
        fsc: row.fsc,
        attempts: row.attempts,
      };
    }
  }
}

/** Single iterations of a result's rows: `count` of them, the gpa advancing by `consumed`. */
function* actualIterations(rows: Json[]): Generator<Iteration> {
  for (const row of rows) {
    const consumed = u64(row.consumed ?? 0);
    for (let k = 0; k < (row.count ?? 1); k++)
      yield {
        gpa: u64(row.gpa) + BigInt(k) * consumed,
        result: row.result,
        level: row.level ?? null,
        consumed,
        errno: row.errno ?? null,
        fsc: row.fsc,
        attempts: row.attempts,
      };
  }
}

function iterationDiffers(e: Iteration, a: Iteration): boolean {
  const result = e.result === 'FIXED_OR_SPURIOUS' ? a.result === 'FIXED' || a.result === 'SPURIOUS' : e.result === a.result;
  return (
    !result ||
    e.gpa !== a.gpa ||
    (e.level !== undefined && e.level !== a.level) ||
    (e.consumed !== undefined && e.consumed !== a.consumed) ||
    e.errno !== a.errno ||
    (e.fsc !== undefined && e.fsc !== a.fsc) ||
    (e.attempts !== undefined && e.attempts !== a.attempts)
  );
}

interface Leaf {
  gpa: bigint;
  level: string;
  kind: string;
  attrs: Json;
}

const ATTRS = ['private', 'writable', 'dirty', 'accessed', 'executable'] as const;

/**
 * A leaf's arm64 descriptor / s390 entry bits in the format's names: a record's `arch_bits`
 * as it is, a contract row's `archBits` renamed (memAttr, s2apR, s2apW are the only
 * camelCase ones).
 */
function archBitsOf(row: Json): Json | undefined {
  if (row.arch_bits !== undefined) return row.arch_bits;
  if (row.archBits === undefined) return undefined;
  const names: Record<string, string> = { memAttr: 'mem_attr', s2apR: 's2ap_r', s2apW: 's2ap_w' };
  return Object.fromEntries(Object.entries(row.archBits as Json).map(([k, v]) => [names[k] ?? k, v]));
}

/** Single leaves of mapping records (format or contract), sorted by gpa: `count` leaves of `level` from `gpa`. */
function* leaves(rows: Json[]): Generator<Leaf> {
  const sorted = [...rows].sort((a, b) => (u64(a.gpa) < u64(b.gpa) ? -1 : u64(a.gpa) > u64(b.gpa) ? 1 : 0));
  for (const row of sorted) {
    const bytes = LEVEL_BYTES[row.level];
    if (bytes === undefined) throw new Error(`unknown level ${show(row.level)}`);
    const attrs: Json = {};
    for (const k of ATTRS) if (row[k] !== undefined) attrs[k] = row[k];
    const bits = archBitsOf(row);
    if (bits !== undefined) attrs.arch_bits = bits;
    for (let k = 0; k < (row.count ?? 1); k++) yield { gpa: u64(row.gpa) + BigInt(k) * bytes, level: row.level, kind: row.kind ?? 'ram', attrs };
  }
}

/** An expected leaf names only some attributes; an MMIO leaf has none worth comparing. */
function leafDiffers(e: Leaf, a: Leaf): boolean {
  if (e.gpa !== a.gpa || e.level !== a.level || e.kind !== a.kind) return true;
  if (e.kind !== 'ram') return false;
  if (ATTRS.some((k) => e.attrs[k] !== undefined && e.attrs[k] !== a.attrs[k])) return true;
  // An expected leaf that names arch_bits must have exactly those bits.
  return e.attrs.arch_bits !== undefined && show(e.attrs.arch_bits) !== show(sortKeys(a.attrs.arch_bits, e.attrs.arch_bits));
}

/** `bits` with the keys in `like`'s order first (then the rest), so that equal sets of bits print alike. */
function sortKeys(bits: Json | undefined, like: Json): Json | undefined {
  if (bits === undefined) return undefined;
  const keys = [...Object.keys(like), ...Object.keys(bits).filter((k) => !(k in like))];
  return Object.fromEntries(keys.map((k) => [k, bits[k]]));
}

/** Zip two streams; report the first pair that differs and a length difference. */
function zipDiff<T>(what: string, expected: Iterator<T>, actual: Iterator<T>, differs: (e: T, a: T) => boolean): string[] {
  for (let i = 0; ; i++) {
    const e = expected.next();
    const a = actual.next();
    if (e.done && a.done) return [];
    if (e.done) return [`${what}: more than expected, first extra #${i} ${show(a.value)}`];
    if (a.done) return [`${what}: fewer than expected, first missing #${i} ${show(e.value)}`];
    if (differs(e.value, a.value)) return [`${what} #${i}: expected ${show(e.value)}, got ${show(a.value)}`];
  }
}

/** Exact: the actual rows hold exactly the expected leaves. Includes: at least them. */
export function mappingDiffs(what: string, expected: Json[], actual: Json[], mode: 'exact' | 'includes'): string[] {
  if (mode === 'exact') return zipDiff(what, leaves(expected), leaves(actual), leafDiffers);
  const got = leaves(actual);
  let a = got.next();
  for (const e of leaves(expected)) {
    while (!a.done && a.value.gpa < e.gpa) a = got.next();
    if (a.done || leafDiffers(e, a.value)) return [`${what}: missing ${show(e)}${a.done ? '' : `, found ${show(a.value)}`}`];
  }
  return [];
}

/** Labels such as R0 stand for roots; one label is one root for the whole scenario. */
export class RootLabels {
  private readonly byLabel = new Map<string, string>();
  private readonly seen = new Set<string>();

  /** A label names this root id: binds it on first use, else checks it. */
  bind(label: string, id: string): string | null {
    const bound = this.byLabel.get(label);
    if (bound === undefined) {
      const other = [...this.byLabel].find(([, v]) => v === id);
      if (other) return `root ${label} is root ${other[0]} again (${id})`;
      this.byLabel.set(label, id);
      return null;
    }
    return bound === id ? null : `root ${label} was ${bound}, now ${id}`;
  }

  idOf(label: string): string | undefined {
    return this.byLabel.get(label);
  }

  /** Record the roots some results ran on; returns those never seen before, in order. */
  observe(results: Json[]): string[] {
    const ids = [...new Set(results.map((r) => r?.root?.id).filter((id): id is string => typeof id === 'string'))];
    const fresh = ids.filter((id) => !this.seen.has(id));
    for (const id of ids) this.seen.add(id);
    return fresh;
  }
}

/**
 * How the results of one step (one operation, or one per page for a guest access) differ
 * from its expectation; [] when they match. `fresh`: the roots these results were the first
 * to run on (RootLabels.observe).
 */
export function stepDiffs(expect: Json, results: Json[], labels: RootLabels, fresh: string[]): string[] {
  const diffs: string[] = [];
  for (const key of Object.keys(expect)) if (!KNOWN_KEYS.has(key)) diffs.push(`unknown expectation "${key}"`);
  if (results.length === 0) return [...diffs, 'no operation ran for this step'];
  const last = results.at(-1)!;

  if (expect.ret !== undefined)
    for (const r of results) {
      const d = retDiffers(expect.ret, r);
      if (d) diffs.push(d);
    }
  if (expect.result !== undefined) {
    // UCALL_DONE: the guest ran to its end, so no access stopped with an exit or an error.
    if (expect.result !== 'UCALL_DONE') diffs.push(`unknown guest result ${show(expect.result)}`);
    else results.forEach((r, i) => (r.ret !== 0 || (r.exit ?? null) !== null) && diffs.push(`page ${i}: guest stopped, ret ${r.ret} exit ${r.exit}`));
  }
  if (expect.exit !== undefined)
    for (const r of results) if ((r.exit ?? null) !== expect.exit) diffs.push(`exit: expected ${show(expect.exit)}, got ${show(r.exit)}`);
  if (expect.gpa_out !== undefined && u64(expect.gpa_out) !== u64(last.range?.gpa))
    diffs.push(`gpa_out: expected ${expect.gpa_out}, got ${last.range?.gpa}`);
  if (expect.size_out !== undefined && u64(expect.size_out) !== u64(last.range?.size))
    diffs.push(`size_out: expected ${expect.size_out}, got ${last.range?.size}`);
  if (Array.isArray(expect.iterations))
    diffs.push(
      ...zipDiff('iteration', expectedIterations(expect.iterations), actualIterations(results.flatMap((r) => r.iterations ?? [])), iterationDiffers),
    );

  const rootIds = [...new Set(results.map((r) => r.root?.id).filter((id): id is string => typeof id === 'string'))];
  for (const key of ['mappings_added', 'mappings'] as const) {
    if (!Array.isArray(expect[key])) continue;
    diffs.push(
      ...mappingDiffs(
        key,
        expect[key],
        results.flatMap((r) => r.mapped ?? []),
        'exact',
      ),
    );
    // Every leaf a result adds lives in the root the result ran on.
    for (const label of new Set<string>(expect[key].map((m: Json) => m.root).filter(Boolean))) {
      if (rootIds.length !== 1) diffs.push(`${key}: rows name root ${label}, the step ran on ${rootIds.length} roots`);
      else {
        const d = labels.bind(label, rootIds[0]!);
        if (d) diffs.push(d);
      }
    }
  }
  if (Array.isArray(expect.roots_created)) {
    if (expect.roots_created.length !== fresh.length)
      diffs.push(`roots_created: expected ${show(expect.roots_created)}, ${fresh.length} new root(s) ${show(fresh)}`);
    else
      expect.roots_created.forEach((label: string, i: number) => {
        const d = labels.bind(label, fresh[i]!);
        if (d) diffs.push(d);
      });
  }
  return diffs;
}

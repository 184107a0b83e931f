// Partial structural matching, as lab checks and scenario comparison need it: a pattern
// names only the fields it cares about, and u64 values compare as numbers ("0x1000" = 4096).

const U64_STRING = /^(0x[0-9a-f]{1,16}|[0-9]{1,20})$/i;

const asU64 = (v: unknown): bigint | undefined => {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && U64_STRING.test(v)) return BigInt(v);
  return undefined;
};

/** Equal as u64 when both sides read as one, else strictly equal. */
export function sameValue(pattern: unknown, actual: unknown): boolean {
  if (typeof pattern === 'string' || typeof actual === 'string') {
    const p = asU64(pattern);
    const a = asU64(actual);
    if (p !== undefined && a !== undefined) return p === a;
  }
  return pattern === actual;
}

/**
 * Does `actual` satisfy `pattern`? Objects: every key of the pattern matches. Arrays:
 * every pattern element matches some actual element, and `[]` matches only `[]`.
 * Scalars: sameValue.
 */
export function matches(pattern: unknown, actual: unknown): boolean {
  if (Array.isArray(pattern)) {
    if (!Array.isArray(actual)) return false;
    if (pattern.length === 0) return actual.length === 0;
    return pattern.every((p) => actual.some((a) => matches(p, a)));
  }
  if (pattern !== null && typeof pattern === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(pattern).every(([k, v]) => matches(v, (actual as Record<string, unknown>)[k]));
  }
  return sameValue(pattern, actual);
}

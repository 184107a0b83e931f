// u64 and address helpers. The engine keeps guest frame numbers (gfn = gpa >> 12) as
// JS numbers: a u64 gpa has at most 52 frame bits, so every gfn is exact in a double.
// Full u64 values (the ioctl struct, hva, wrap checks) stay bigint.

import { invalid } from './errors.js';
import type { Hex, LevelName } from './types.js';
export type { Hex };

export const U64_MAX = (1n << 64n) - 1n;
export const PAGE_SHIFT = 12;

/** PG_LEVEL_4K/2M/1G as 1/2/3; frames covered by one entry at a level. */
export const PAGES_PER_LEVEL = [0, 1, 512, 262144, 134217728, 68719476736] as const;
export const LEVEL_NAMES: Record<number, LevelName> = { 1: '4K', 2: '2M', 3: '1G' };
export const levelFromName = (name: LevelName): number => (name === '4K' ? 1 : name === '2M' ? 2 : 3);

const HEX_RE = /^0x[0-9a-f]{1,16}$/i;
const DEC_RE = /^[0-9]{1,20}$/;

/**
 * Parse a contract u64: a JSON integer up to 2^53-1, or a "0x..." / decimal string up
 * to 2^64-1. Anything else (negative, fractional, too large, not a number) is refused.
 */
export function parseU64(value: unknown, field: string): bigint {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return BigInt(value);
    throw invalid(field, `${field} must be a u64: a non-negative integer up to 2^53-1, or a string up to 2^64-1`);
  }
  if (typeof value === 'bigint') {
    if (value >= 0n && value <= U64_MAX) return value;
  } else if (typeof value === 'string' && (HEX_RE.test(value) || DEC_RE.test(value))) {
    const v = BigInt(value);
    if (v <= U64_MAX) return v;
  }
  throw invalid(field, `${field} must be a u64 ("0x..." hex or decimal digits, at most 2^64-1)`);
}

/** Lower-case "0x..." as the contract returns u64 values. */
export const hex = (v: bigint | number): Hex => `0x${v.toString(16)}`;

/** A gfn (or frame count) as a byte address/size in hex, exact beyond 2^53. */
export const gfnToHex = (gfn: number): Hex => hex(BigInt(gfn) << 12n);

export const isPageAligned = (v: bigint): boolean => (v & 0xfffn) === 0n;

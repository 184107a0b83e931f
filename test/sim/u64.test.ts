// parseU64: the contract's u64 inputs (a JSON integer up to 2^53-1, or a "0x..." / decimal
// string up to 2^64-1, as the ioctl's __u64 fields hold) and every way a value is refused,
// with the field named. The HTTP tests reach it through requests; these pin it down alone.
import { describe, expect, it } from 'vitest';
import { SimError } from '../../src/sim/errors.js';
import { U64_MAX, parseU64 } from '../../src/sim/u64.js';

const refused = (value: unknown): SimError => {
  try {
    parseU64(value, 'gpa');
  } catch (error) {
    expect(error).toBeInstanceOf(SimError);
    return error as SimError;
  }
  throw new Error(`${String(value)} was accepted`);
};

describe('parseU64', () => {
  it('takes non-negative safe integers', () => {
    expect(parseU64(0, 'gpa')).toBe(0n);
    expect(parseU64(Number.MAX_SAFE_INTEGER, 'gpa')).toBe(BigInt(Number.MAX_SAFE_INTEGER));
  });

  it('refuses negative, fractional and unsafe numbers, naming the field and the two forms', () => {
    for (const value of [-1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = refused(value);
      expect(error.field).toBe('gpa');
      expect(error.code).toBe('invalid');
      expect(error.message).toBe('gpa must be a u64: a non-negative integer up to 2^53-1, or a string up to 2^64-1');
    }
  });

  it('takes bigints from 0 to 2^64-1 and refuses the rest', () => {
    expect(parseU64(0n, 'gpa')).toBe(0n);
    expect(parseU64(1n, 'gpa')).toBe(1n);
    expect(parseU64(U64_MAX, 'gpa')).toBe(U64_MAX);
    for (const value of [-1n, U64_MAX + 1n]) expect(refused(value).message).toBe('gpa must be a u64 ("0x..." hex or decimal digits, at most 2^64-1)');
  });

  it('takes hex strings of 1 to 16 digits in either case, and decimal strings up to 2^64-1', () => {
    expect(parseU64('0x0', 'gpa')).toBe(0n);
    expect(parseU64('0xFFFFFFFFFFFFFFFF', 'gpa')).toBe(U64_MAX);
    expect(parseU64('0xabcdef', 'gpa')).toBe(0xabcdefn);
    expect(parseU64('7', 'gpa')).toBe(7n);
    expect(parseU64('18446744073709551615', 'gpa')).toBe(U64_MAX);
  });

  it('refuses strings that are not all a u64: prefixes, suffixes, too many digits, past 2^64-1', () => {
    const bad = [
      '',
      '0x',
      '-1',
      'x0x1',
      '10x1',
      '0x1g',
      '0x1 ',
      ' 0x1',
      '0x' + '1'.repeat(17),
      '12a',
      'a12',
      '1e3',
      '18446744073709551616',
      '9'.repeat(21),
    ];
    for (const value of bad) {
      const error = refused(value);
      expect(error.field, value).toBe('gpa');
      expect(error.message, value).toBe('gpa must be a u64 ("0x..." hex or decimal digits, at most 2^64-1)');
    }
  });

  it('refuses what is neither a number, a bigint nor a string', () => {
    for (const value of [null, undefined, true, {}, ['0x1']]) expect(refused(value).field).toBe('gpa');
  });
});

// One fact, several spellings: a student may answer a failed ioctl as -22, "-22", "EINVAL"
// or "-EINVAL" (and success as 0, "0" or "success"). Quizzes and lab predictions compare
// answers through this, so equivalent spellings grade the same.
import * as errno from '../sim/errno.js';

/** Every errno the engine returns, by name (EINVAL -> -22). */
const BY_NAME = new Map<string, number>();
for (const value of Object.values(errno)) {
  const name = typeof value === 'number' ? errno.errnoName(value) : null;
  if (name) BY_NAME.set(name, value as number);
}
const KNOWN = new Set([0, ...BY_NAME.values()]);

/** The ioctl return value an answer names (0 or -errno), or undefined if it names none. */
export function errnoValue(answer: unknown): number | undefined {
  if (typeof answer === 'number') return KNOWN.has(answer) ? answer : undefined;
  if (typeof answer !== 'string') return undefined;
  const s = answer.trim().toUpperCase();
  if (s === 'SUCCESS' || /^-?\d+$/.test(s)) return s === 'SUCCESS' ? 0 : errnoValue(Number(s));
  return BY_NAME.get(s.startsWith('-') ? s.slice(1) : s);
}

/** Whether two answers name the same ioctl outcome (false when either names none). */
export function sameErrno(given: unknown, expected: unknown): boolean {
  const e = errnoValue(expected);
  return e !== undefined && errnoValue(given) === e;
}

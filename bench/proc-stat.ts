// Reading a process's or thread's /proc stat line (Linux), for the benchmarks' CPU figures.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** Milliseconds per clock tick, the unit of /proc's CPU times (USER_HZ, usually 100 per second). */
export const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);

/**
 * The fields of a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat line after the command name
 * (which may hold spaces): index 0 is field 3 (state), so utime is [11], stime [12], cutime
 * [13], cstime [14] and nice [16]. Undefined when the file is gone (no /proc, or it ended).
 */
export function statFields(path: string): string[] | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // it ended between the check and the read
  }
}

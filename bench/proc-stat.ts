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

/** The whole machine's CPU time so far, in clock ticks: idle (idle + iowait) and in all (/proc/stat's `cpu` line); undefined off Linux. */
export function machineCpuTicks(): { idle: number; total: number } | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already counted in user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  return { idle: idle + iowait, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

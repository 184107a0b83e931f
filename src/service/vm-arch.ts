// Contract v2: every VM has an `arch` (x86, arm64, s390). The arm64 and s390 engines
// (src/sim/arm64, src/sim/s390) are not wired to the service yet, so every VM it holds,
// creates, replays or imports is x86: the view says so, and another arch is refused by name.

import { invalidInput } from './errors.js';

/** The only architecture the HTTP service runs; a VM without `arch` is one too. */
export const HTTP_ARCH = 'x86';

/** Refuse (400 naming `arch`) an architecture the engines model but the service cannot run yet. */
export function requireHttpArch(arch: unknown): void {
  if (arch === undefined || arch === HTTP_ARCH) return;
  const name = typeof arch === 'string' ? arch : JSON.stringify(arch);
  throw invalidInput(`arch ${name} is not available over HTTP yet: only x86 VMs can be created or imported`, 'arch');
}

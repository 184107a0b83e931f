// A VM configuration of any of the three arches, as the service stores it. An x86
// configuration has no `arch` key: its stored form predates contract v2 and stays byte for
// byte what it was; arm64 and s390 ones carry `arch`.

import type { Arm64VmConfig } from './arm64/types.js';
import type { S390VmConfig } from './s390/types.js';
import type { VmConfig } from './types.js';

export type VmArch = 'x86' | 'arm64' | 's390';

export type AnyVmConfig = VmConfig | (Arm64VmConfig & { arch: 'arm64' }) | (S390VmConfig & { arch: 's390' });

/** The arch of a stored configuration (none: x86). */
export const vmArch = (config: AnyVmConfig): VmArch => ('arch' in config ? config.arch : 'x86');

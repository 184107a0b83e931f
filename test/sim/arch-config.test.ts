// Which arch a stored configuration is (sim/arch-config.ts), and the arm64/s390 kernel axis
// (sim/arch-types.ts): an x86 configuration carries no `arch` key.
import { describe, expect, it } from 'vitest';
import { withVmDefaults } from '../../src/sim/index.js';
import { vmArch } from '../../src/sim/arch-config.js';
import { archKernelAtLeast } from '../../src/sim/arch-types.js';

describe('vmArch', () => {
  it('reads arm64 and s390 from the arch key, and x86 from its absence', () => {
    expect(vmArch(withVmDefaults({ name: 'x' }))).toBe('x86');
    expect(vmArch({ arch: 'arm64' } as never)).toBe('arm64');
    expect(vmArch({ arch: 's390' } as never)).toBe('s390');
  });
});

describe('archKernelAtLeast', () => {
  it('orders 7.0 to 7.4', () => {
    expect(archKernelAtLeast('7.2', '7.2')).toBe(true);
    expect(archKernelAtLeast('7.4', '7.2')).toBe(true);
    expect(archKernelAtLeast('7.1', '7.2')).toBe(false);
  });
});

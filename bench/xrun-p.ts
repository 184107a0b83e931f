import * as sim from '../src/sim/index.js';
import { GiB, prefaultSlot } from './engine-fill.js';
prefaultSlot(sim, 'w', GiB, '4K');
for (let k = 0; k < 3; k++) {
  const r = prefaultSlot(sim, 'x', 64n * GiB, '4K', { pageRuns: process.argv[2] !== 'off' });
  console.log((r.leaves / r.ms / 1000).toFixed(2), 'M/s', (r.leaves / r.cpuMs / 1000).toFixed(2), 'M/s cpu', r.bytesPerLeaf.toFixed(2), 'B/leaf');
}

// One measured fill in its own process, for bench:engine --against: a warm-up on a small
// slot, then the case named by argv (4K, 2M or 1G), printed as one JSON line. The bundler
// swaps the engine import below for the engine of the commit being measured.

import * as sim from '../src/sim/index.js';
import type { LevelName } from '../src/sim/index.js';
import { GiB, prefaultSlot } from './engine-fill.js';

const pageSize = (process.argv[2] ?? '4K') as LevelName;
// The cases of bench:engine: 64 GiB of 4K pages, 1 TiB of 2M or 1G pages.
const bytes = pageSize === '4K' ? 64n * GiB : 1024n * GiB;
prefaultSlot(sim, 'warm-up', GiB, '4K');
const run = prefaultSlot(sim, pageSize, bytes, pageSize);
console.log(JSON.stringify(run));

// One arm64 pre-fault of a whole 64 GiB slot, timed, with its heap cost: bench:engine prints
// it beside x86's 4K fill, bench:arm64 beside x86 in its own format.

import { Arm64Vm } from '../src/sim/arm64/vm.js';
import type { Granule } from '../src/sim/arm64/pgtable.js';
import { GiB, heapBytes, type Run } from './engine-fill.js';

export const ARM64_SLOT_BYTES = 64n * GiB;
const GPA = 1n << 39n; // 512 GiB: aligned for every block size, inside a 40-bit IPA space
const hx = (v: bigint): string => `0x${v.toString(16)}`;

/** Pre-faults 64 GiB backed by granule-sized pages on a `granule` host: every leaf a granule page. */
export function arm64PrefaultSlot(granule: Granule): Run {
  const label = `arm64 64 GiB, ${granule} granule`;
  const vm = new Arm64Vm({ name: `bench-${granule}`, host: { granule } }, 2 ** 40);
  const r = vm.setMemslot(0, 0, { guestPhysAddr: hx(GPA), size: hx(ARM64_SLOT_BYTES), backing: { pageSize: granule } });
  if (r.ret !== 0) throw new Error(`memslot refused: ${r.reason}`);
  vm.createVcpu({ id: 0 });
  const before = heapBytes();
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const res = vm.preFault(0, { gpa: hx(GPA), size: hx(ARM64_SLOT_BYTES) });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  if (res.ret !== 0 || res.range.size !== '0x0') throw new Error(`pre-fault failed: ${JSON.stringify(res).slice(0, 300)}`);
  const after = heapBytes();
  const leaves = vm.roots()[0]!.counts[granule]!;
  return { label, leaves, ms, cpuMs: (cpu.user + cpu.system) / 1000, bytesPerLeaf: (after - before) / leaves };
}

// One pre-fault of a whole slot, timed, with the engine passed in: bench:engine runs it on
// this tree's engine, and --against runs the same code on another commit's engine.

import type * as Sim from '../src/sim/index.js';
import type { EngineOptions, LevelName, MemslotResult, PreFaultResult } from '../src/sim/index.js';

export const GiB = 1n << 30n;
const gc = (globalThis as { gc?: () => void }).gc;

export const hasExactHeap = gc !== undefined;

export function heapBytes(): number {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * Lets V8 finish releasing earlier runs' ArrayBuffers (it frees them on a background thread)
 * before a heap figure is taken: without it, a run right after a big one reads too low.
 */
export async function quietHeap(): Promise<void> {
  gc?.();
  await new Promise((done) => setTimeout(done, 300));
  gc?.();
}

export interface Run {
  label: string;
  leaves: number;
  ms: number;
  /** CPU time of the process (all threads) during the fill: less sensitive than `ms` to other load on the machine. */
  cpuMs: number;
  bytesPerLeaf: number;
}

/** The engine surface the fill uses (stable across commits, so old engines run it too). */
export type Engine = Pick<typeof Sim, 'createVm' | 'withVmDefaults'>;

/** `engine`: the engine options (an older engine without them ignores the argument). */
export function prefaultSlot(sim: Engine, label: string, bytes: bigint, pageSize: LevelName, engine: Partial<EngineOptions> = {}): Run {
  const vm = sim.createVm(sim.withVmDefaults({ name: label }), { maxTableBytes: 2 ** 40 }, engine);
  const gpa = 1n << 40n; // 1 TiB: aligned for every page size
  const r = vm.apply({
    op: 'set_memslot',
    addressSpace: 0,
    slot: 0,
    region: { guestPhysAddr: `0x${gpa.toString(16)}`, size: `0x${bytes.toString(16)}`, backing: { pageSize, writable: true } },
  }) as MemslotResult;
  if (r.ret !== 0) throw new Error(`memslot refused: ${JSON.stringify(r)}`);
  vm.apply({ op: 'create_vcpu', vcpu: { id: 0 } });
  const before = heapBytes();
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const res = vm.apply({ op: 'pre_fault', vcpuId: 0, gpa: `0x${gpa.toString(16)}`, size: `0x${bytes.toString(16)}`, flags: '0x0' }) as PreFaultResult;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  if (res.ret !== 0 || res.range.size !== '0x0') throw new Error(`pre-fault failed: ${JSON.stringify(res).slice(0, 400)}`);
  const after = heapBytes();
  const root = vm.roots()[0]!;
  const leaves = root.counts['4K'] + root.counts['2M'] + root.counts['1G'];
  // Keep the VM alive until after the measurement.
  if (vm.tableBytes() <= 0) throw new Error('no tables');
  return { label, leaves, ms, cpuMs: (cpu.user + cpu.system) / 1000, bytesPerLeaf: (after - before) / leaves };
}

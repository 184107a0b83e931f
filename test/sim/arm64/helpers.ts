// Builders for arm64 engine tests: a VM with slots and vCPUs, and a compact row format.
import type { ArchBacking, ArchMemslotFlag, ArchPreFaultInject } from '../../../src/sim/arch-types.js';
import { Arm64Vm } from '../../../src/sim/arm64/vm.js';
import type { Arm64PreFaultResult, Arm64VcpuSpec, Arm64VmConfigInput } from '../../../src/sim/arm64/types.js';

export const K4 = 0x1000;
export const M2 = 0x200000;
export const G1 = 0x40000000;
export const hx = (n: number | bigint): string => `0x${n.toString(16)}`;

export interface Slot {
  gpa: number;
  size: number;
  hva?: number;
  flags?: ArchMemslotFlag[];
  gmemOffset?: number;
  backing?: ArchBacking;
}

export function arm64Vm(config: Partial<Arm64VmConfigInput> = {}, slots: Slot[] = [], vcpus: Arm64VcpuSpec[] = [{ id: 0 }]): Arm64Vm {
  const vm = new Arm64Vm({ name: 'test', ...config });
  slots.forEach((s, i) => {
    const r = vm.setMemslot(0, i, {
      guestPhysAddr: hx(s.gpa),
      size: hx(s.size),
      ...(s.hva !== undefined ? { userspaceAddr: hx(s.hva) } : {}),
      flags: s.flags ?? [],
      ...(s.gmemOffset !== undefined ? { guestMemfdOffset: hx(s.gmemOffset) } : {}),
      ...(s.backing ? { backing: s.backing } : {}),
    });
    if (r.ret !== 0) throw new Error(`slot ${i} refused: ${r.errno} ${r.reason}`);
  });
  for (const v of vcpus) vm.createVcpu(v);
  return vm;
}

export const pf = (vm: Arm64Vm, gpa: number, size: number, inject?: ArchPreFaultInject, vcpu = 0): Arm64PreFaultResult =>
  vm.preFault(vcpu, { gpa: hx(gpa), size: hx(size), flags: '0x0', ...(inject ? { inject } : {}) });

/** "gpa RESULT level consumed xcount errno fsc attempts" per iteration row. */
export const rows = (r: Arm64PreFaultResult): string[] =>
  r.iterations.map((i) => `${i.gpa} ${i.result} ${i.level ?? '-'} ${i.consumed} x${i.count} ${i.errno ?? '-'} ${i.fsc ?? '-'} ${i.attempts}`);

/** The canonical root's counts. */
export const counts = (vm: Arm64Vm): Record<string, number> => vm.roots()[0]!.counts;

// Builders for s390 engine tests.
import type { ArchBacking, ArchMemslotFlag, ArchPreFaultInject } from '../../../src/sim/arch-types.js';
import { S390Vm } from '../../../src/sim/s390/vm.js';
import type { S390PreFaultResult, S390VmConfigInput } from '../../../src/sim/s390/types.js';

export const K4 = 0x1000;
export const M1 = 0x100000;
export const G2 = 0x80000000;
export const hx = (n: number | bigint): string => `0x${n.toString(16)}`;

export interface Slot {
  gpa: number;
  size: number;
  hva?: number;
  flags?: ArchMemslotFlag[];
  backing?: ArchBacking;
}

/** A VM with its memslots and vCPUs; `maxTableBytes` is the DAT table budget (the service's per-VM limit). */
export function s390Vm(config: Partial<S390VmConfigInput> = {}, slots: Slot[] = [], vcpus = [0], maxTableBytes?: number): S390Vm {
  const vm = new S390Vm({ name: 'test', ...config }, maxTableBytes);
  slots.forEach((s, i) => {
    const r = vm.setMemslot(0, i, {
      guestPhysAddr: hx(s.gpa),
      size: hx(s.size),
      ...(s.hva !== undefined ? { userspaceAddr: hx(s.hva) } : {}),
      flags: s.flags ?? [],
      ...(s.backing ? { backing: s.backing } : {}),
    });
    if (r.ret !== 0) throw new Error(`slot ${i} refused: ${r.errno} ${r.reason}`);
  });
  for (const v of vcpus) vm.createVcpu(v);
  return vm;
}

/** A VM allowed to use 1M and 2G leaves. */
export const hugeVm = (slots: Slot[]): S390Vm => s390Vm({ host: { hpage: true, hpage2g: true }, s390: { hpage1m: true, hpage2g: true } }, slots);

export const pf = (vm: S390Vm, gpa: number, size: number, inject?: ArchPreFaultInject): S390PreFaultResult =>
  vm.preFault(0, { gpa: hx(gpa), size: hx(size), flags: '0x0', ...(inject ? { inject } : {}) });

/** "gpa RESULT level consumed xcount errno" per iteration row. */
export const rows = (r: S390PreFaultResult): string[] =>
  r.iterations.map((i) => `${i.gpa} ${i.result} ${i.level ?? '-'} ${i.consumed} x${i.count} ${i.errno ?? '-'}`);

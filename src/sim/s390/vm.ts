// One s390 VM, as the service hosts it (src/labs/arch-engine-vm.ts). Every change
// goes through a method named after its ioctl; the views never change state.

import type { ArchMemslotSpec, ArchPreFaultRequest } from '../arch-types.js';
import { notFound } from '../errors.js';
import { archMemslotView, type ArchMemslotResult, type ArchMemslotView } from '../generic-memslots.js';
import { s390Mappings, s390Roots, s390Walk } from './inspect.js';
import { newS390State, s390CapPreFaultMemory, s390CreateVcpu, s390SetMemoryRegion, s390VcpuView, withS390Defaults } from './kvm-s390.js';
import { ASCE_BITS, gmapLimitToType, type Gmap } from './gmap.js';
import { s390PreFault } from './prefault.js';
import type { S390State } from './state.js';
import type {
  AsceType,
  S390MappingRow,
  S390PreFaultResult,
  S390RootView,
  S390VcpuView,
  S390VmConfig,
  S390VmConfigInput,
  S390WalkResult,
} from './types.js';

export class S390Vm {
  readonly state: S390State;

  constructor(input: S390VmConfigInput, maxTableBytes = 1 << 30) {
    this.state = newS390State(withS390Defaults(input), maxTableBytes);
  }

  get config(): S390VmConfig {
    return this.state.config;
  }

  /** False when no pre-fault can succeed: a kernel before 7.2 or a UCONTROL VM (contract v2 VM view). */
  get preFaultAllowed(): boolean {
    return this.capPreFaultMemory() === 1 && this.state.gmap !== null;
  }

  /** The bits the ASCE reaches: 31, 42, 53 or 64 (a UCONTROL VM: what mem_limit would give). */
  get guestPhysBits(): number {
    return ASCE_BITS[gmapLimitToType(this.state.memLimit)];
  }

  /** The VM view's `s390` object; a UCONTROL VM has no gmap, so asceType is null. */
  archView(): { hpage1m: boolean; hpage2g: boolean; memLimit: string; asceType: AsceType | null } {
    return { ...this.state.config.s390, asceType: this.state.gmap?.asceType ?? null };
  }

  memslots(): ArchMemslotView[] {
    return this.state.slots.all().map(archMemslotView);
  }

  vcpus(): S390VcpuView[] {
    return [...this.state.vcpus].sort((a, b) => a - b).map((id) => s390VcpuView(this.state, id));
  }

  setMemslot(asId: number, id: number, spec: ArchMemslotSpec): ArchMemslotResult {
    return s390SetMemoryRegion(this.state, asId, id, spec);
  }

  createVcpu(id: number): S390VcpuView {
    return s390CreateVcpu(this.state, id);
  }

  preFault(vcpuId: number, req: ArchPreFaultRequest): S390PreFaultResult {
    return s390PreFault(this.state, vcpuId, req);
  }

  /** KVM_CHECK_EXTENSION(KVM_CAP_PRE_FAULT_MEMORY). */
  capPreFaultMemory(): number {
    return s390CapPreFaultMemory(this.state);
  }

  roots(): S390RootView[] {
    return s390Roots(this.state);
  }

  mappings(): S390MappingRow[] {
    return s390Mappings(this.gmap());
  }

  walk(gpa: string): S390WalkResult {
    return s390Walk(this.gmap(), gpa);
  }

  gmap(): Gmap {
    if (!this.state.gmap) throw notFound('a UCONTROL VM has no gmap');
    return this.state.gmap;
  }
}

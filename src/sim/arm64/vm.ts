// One arm64 VM, as the service hosts it (src/labs/arch-engine-vm.ts). Every change
// goes through a method named after its ioctl; the views never change state.

import type { ArchMemslotSpec, ArchPreFaultRequest } from '../arch-types.js';
import { notFound } from '../errors.js';
import { archMemslotView, type ArchMemslotResult, type ArchMemslotView } from '../generic-memslots.js';
import { arm64CapPreFaultMemory, arm64CreateVcpu, arm64PatchVcpu, arm64VcpuView, withArm64Defaults } from './arm.js';
import { arm64Mappings, arm64Roots, arm64Walk } from './inspect.js';
import { arm64SetMemoryRegion } from './memslot.js';
import type { S2Root } from './pgtable.js';
import { arm64PreFault } from './prefault.js';
import { newArm64State, type Arm64State } from './state.js';
import type {
  Arm64MappingRow,
  Arm64PreFaultResult,
  Arm64RootView,
  Arm64VcpuPatch,
  Arm64VcpuSpec,
  Arm64VcpuView,
  Arm64VmConfig,
  Arm64VmConfigInput,
  Arm64WalkResult,
} from './types.js';

export class Arm64Vm {
  readonly state: Arm64State;

  constructor(input: Arm64VmConfigInput, maxTableBytes = 1 << 30) {
    this.state = newArm64State(withArm64Defaults(input), maxTableBytes);
  }

  get config(): Arm64VmConfig {
    return this.state.config;
  }

  /** False when no pre-fault can succeed: a kernel before 7.4 or a pKVM host (contract v2 VM view). */
  get preFaultAllowed(): boolean {
    return this.capPreFaultMemory() === 1;
  }

  /** The VM's IPA size. */
  get guestPhysBits(): number {
    return this.state.geo.ipaBits;
  }

  /** The VM view's `arm64` object: the stage-2 geometry of §18.10. */
  archView(): { ipaBits: number; stage2Levels: number; startLevel: number; concatenatedTables: number } {
    const g = this.state.geo;
    return { ipaBits: g.ipaBits, stage2Levels: g.levels, startLevel: g.startLevel, concatenatedTables: g.concatenated };
  }

  memslots(): ArchMemslotView[] {
    return this.state.slots.all().map(archMemslotView);
  }

  vcpus(): Arm64VcpuView[] {
    return [...this.state.vcpus.values()].sort((a, b) => a.id - b.id).map((v) => arm64VcpuView(v, this.state));
  }

  setMemslot(asId: number, id: number, spec: ArchMemslotSpec): ArchMemslotResult {
    return arm64SetMemoryRegion(this.state, asId, id, spec);
  }

  createVcpu(spec: Arm64VcpuSpec): Arm64VcpuView {
    return arm64CreateVcpu(this.state, spec);
  }

  patchVcpu(id: number, patch: Arm64VcpuPatch): Arm64VcpuView {
    return arm64PatchVcpu(this.state, id, patch);
  }

  vcpu(id: number): Arm64VcpuView {
    const v = this.state.vcpus.get(id);
    if (!v) throw notFound(`no vCPU ${id}`);
    return arm64VcpuView(v, this.state);
  }

  preFault(vcpuId: number, req: ArchPreFaultRequest): Arm64PreFaultResult {
    return arm64PreFault(this.state, vcpuId, req);
  }

  /** KVM_CHECK_EXTENSION(KVM_CAP_PRE_FAULT_MEMORY). */
  capPreFaultMemory(): number {
    return arm64CapPreFaultMemory(this.state);
  }

  roots(): Arm64RootView[] {
    return arm64Roots(this.state);
  }

  mappings(rootId = this.state.canonical.id): Arm64MappingRow[] {
    return arm64Mappings(this.root(rootId), this.state.pageFrames);
  }

  walk(rootId: string, gpa: string): Arm64WalkResult {
    return arm64Walk(this.root(rootId), gpa);
  }

  tableBytes(): number {
    return this.state.tables.bytes;
  }

  private root(id: string): S2Root {
    if (id === this.state.canonical.id) return this.state.canonical;
    for (const v of this.state.vcpus.values()) if (v.nested?.id === id) return v.nested;
    throw notFound(`no root ${id}`);
  }
}

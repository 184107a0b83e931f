// An arm64 or s390 engine VM behind the same calls the service makes of an x86 one
// (apply an Operation, the named reads), so the engine hosts, the log, replay and the routes
// stay one path for all three arches. The engines (src/sim/arm64, src/sim/s390) model the
// kernel; this adds what the generic kvm_main.c layer does around them here: kvm_vm_dead(),
// the VM's vCPU and memslot limits, and paging of the mapping rows.
import {
  Arm64Vm,
  EIO,
  S390Vm,
  SimError,
  VM_DEAD_REASON,
  archPreFaultEarly,
  hex,
  ioctlResult,
  parsePreFault,
  parseU64,
  type AnyVmConfig,
  type ArchMemslotSpec,
  type ArchPreFaultRequest,
  type Arm64VcpuPatch,
  type IoctlResult,
  type Operation,
  type VmLimits,
} from '../sim/index.js';
import { checkSlotId, MAX_MAPPINGS_LIMIT, type MappingsQuery } from '../sim/vm.js';

type ArchConfig = Extract<AnyVmConfig, { arch: string }>;

/** The VM view's arch object: the stage-2 geometry of an arm64 VM, or the gmap of an s390 one. */
export type ArchView = { arm64: ReturnType<Arm64Vm['archView']> } | { s390: ReturnType<S390Vm['archView']> };

interface MappingRow {
  gpa: string;
  size: string;
}

const notModelled = (what: string, arch: string) => new SimError('invalid', `${what} is not modelled for ${arch} VMs (contract v2: x86 only)`);

export class ArchEngineVm {
  private readonly engine: Arm64Vm | S390Vm;
  /** kvm->vm_dead: set by kvm_vm_dead(), never cleared. */
  private isDead = false;

  constructor(
    readonly config: ArchConfig,
    private readonly limits: VmLimits,
  ) {
    const { arch: _arch, ...engineConfig } = config;
    this.engine =
      config.arch === 'arm64'
        ? new Arm64Vm(engineConfig as Extract<ArchConfig, { arch: 'arm64' }>, limits.maxTableBytes)
        : new S390Vm(engineConfig as Extract<ArchConfig, { arch: 's390' }>, limits.maxTableBytes);
  }

  get arch(): 'arm64' | 's390' {
    return this.config.arch;
  }

  get preFaultAllowed(): boolean {
    return this.engine.preFaultAllowed;
  }

  get dead(): boolean {
    return this.isDead;
  }

  get guestPhysBits(): number {
    return this.engine.guestPhysBits;
  }

  /** The VM view's arch object (`arm64` geometry or `s390` gmap type). */
  archView(): ArchView {
    return this.engine instanceof Arm64Vm ? { arm64: this.engine.archView() } : { s390: this.engine.archView() };
  }

  apply(op: Operation): unknown {
    if (op.op === 'mark_dead') {
      this.isDead = true;
      return ioctlResult(0);
    }
    if (op.op === 'finalize') throw notModelled('finalize (KVM_SEV_SNP_LAUNCH_FINISH / KVM_TDX_FINALIZE_VM)', this.arch);
    if (op.op === 'set_memory_attributes') throw notModelled('KVM_SET_MEMORY_ATTRIBUTES', this.arch);
    if (op.op === 'access') throw notModelled('a guest access', this.arch);
    if (this.isDead) return this.deadAnswer(op);
    const e = this.engine;
    switch (op.op) {
      case 'create_vcpu': {
        if (e.vcpus().length >= this.limits.maxVcpus) throw new SimError('limit', `a VM holds at most ${this.limits.maxVcpus} vCPUs`, 'id');
        return e instanceof Arm64Vm ? e.createVcpu(op.vcpu) : e.createVcpu(op.vcpu.id);
      }
      case 'set_vcpu_mode':
        if (!(e instanceof Arm64Vm)) throw notModelled('changing a vCPU', this.arch);
        return e.patchVcpu(op.vcpuId, op.patch as Arm64VcpuPatch);
      case 'set_memslot': {
        const slot = checkSlotId(op.slot);
        const exists = e.memslots().some((s) => s.slot === slot);
        if (!exists && e.memslots().length >= this.limits.maxMemslots)
          throw new SimError('limit', `a VM holds at most ${this.limits.maxMemslots} memslots`, 'slot');
        return e.setMemslot(op.addressSpace, slot, op.region as ArchMemslotSpec);
      }
      case 'delete_memslot':
        return e.setMemslot(op.addressSpace, checkSlotId(op.slot), { guestPhysAddr: '0x0', size: '0x0' });
      case 'pre_fault':
        return e.preFault(op.vcpuId, op as ArchPreFaultRequest);
    }
  }

  /** kvm->vm_dead: every ioctl answers EIO (kvm_vcpu_ioctl / kvm_vm_ioctl), as on x86. */
  private deadAnswer(op: Extract<Operation, { op: 'create_vcpu' | 'set_vcpu_mode' | 'set_memslot' | 'delete_memslot' | 'pre_fault' }>): unknown {
    const dead: IoctlResult = ioctlResult(EIO, VM_DEAD_REASON);
    switch (op.op) {
      case 'pre_fault':
        this.vcpu(op.vcpuId);
        return archPreFaultEarly(parsePreFault(op as ArchPreFaultRequest), EIO, VM_DEAD_REASON);
      case 'set_vcpu_mode':
        this.vcpu(op.vcpuId);
        return dead;
      case 'set_memslot':
      case 'delete_memslot':
        return { ...dead, memslot: null };
      default:
        return dead;
    }
  }

  vcpus(): unknown[] {
    return this.engine.vcpus();
  }

  vcpu(id: number): unknown {
    const found = this.engine.vcpus().find((v) => v.id === id);
    if (!found) throw new SimError('not_found', `vCPU ${id} does not exist in this VM`);
    return found;
  }

  memslots(): unknown[] {
    return this.engine.memslots();
  }

  capabilities(): { KVM_CAP_PRE_FAULT_MEMORY: 0 | 1 } {
    return { KVM_CAP_PRE_FAULT_MEMORY: this.engine.capPreFaultMemory() === 1 ? 1 : 0 };
  }

  roots(): unknown[] {
    return this.engine.roots();
  }

  /** Mapping rows of [from, to) a page at a time; the cursor is the gpa where the next page starts. */
  mappings(rootId: string, query: MappingsQuery = {}): { mappings: unknown[]; nextCursor: string | null } {
    const from = query.cursor !== undefined ? parseU64(query.cursor, 'cursor') : (query.from ?? 0n);
    const to = query.to ?? 1n << 64n;
    const limit = query.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_MAPPINGS_LIMIT)
      throw new SimError('invalid', `limit must be an integer from 1 to ${MAX_MAPPINGS_LIMIT}`, 'limit');
    if (to < from) throw new SimError('invalid', 'to must not be below from', 'to');
    const rows = (this.rowsOf(rootId) as MappingRow[]).filter((r) => {
      const gpa = BigInt(r.gpa);
      return gpa + BigInt(r.size) > from && gpa < to;
    });
    return { mappings: rows.slice(0, limit), nextCursor: rows.length > limit ? rows[limit]!.gpa : null };
  }

  walk(rootId: string, gpa: bigint): unknown {
    const e = this.engine;
    if (e instanceof Arm64Vm) return e.walk(rootId, hex(gpa));
    this.gmapRoot(rootId);
    return e.walk(hex(gpa));
  }

  /** Every mapping row of a root (an export's final state). */
  allMappings(rootId: string): unknown[] {
    return this.rowsOf(rootId);
  }

  private rowsOf(rootId: string): unknown[] {
    const e = this.engine;
    if (e instanceof Arm64Vm) return e.mappings(rootId);
    this.gmapRoot(rootId);
    return e.mappings();
  }

  /** s390 has one root, the gmap; a UCONTROL VM has none. */
  private gmapRoot(rootId: string): void {
    const e = this.engine as S390Vm;
    if (e.state.gmap?.id !== rootId) throw new SimError('not_found', `root ${rootId} does not exist in this VM`);
  }
}

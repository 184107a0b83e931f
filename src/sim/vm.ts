// One simulated VM: the only object the service talks to. State changes go through
// `apply(op)` (so a log of operations replays to the same state); everything else reads.

import { guestAccess } from './access.js';
import { DEFAULT_ENGINE, DEFAULT_LIMITS, supportedGuestPhysBits } from './vm-config.js';
import { EIO, ioctlResult } from './errno.js';
import { invalid, notFound } from './errors.js';
import { deleteUserMemoryRegion, setUserMemoryRegion } from './memslot-ioctl.js';
import { memslotView } from './memslots.js';
import { listMappings, walkGfn } from './mmu/inspect.js';
import { PAGES_PER_LEVEL } from './u64.js';
import { VM_DEAD_REASON, kvmVcpuPreFaultMemory, preFaultEarly } from './prefault.js';
import type { TracepointSink } from './mmu/tracepoint.js';
import { newVmState, type Vcpu, type VmState } from './state.js';
import type {
  EngineOptions,
  MappingsPage,
  MemslotView,
  Operation,
  OperationResult,
  RootView,
  VcpuView,
  VmConfig,
  VmLimits,
  WalkResult,
} from './types.js';
import { gfnToHex, parseU64 } from './u64.js';
import { createVcpu, setVcpuMode, vcpuView } from './vcpu.js';
import { finalizeVm, setMemoryAttributes } from './vm-ioctl.js';

export interface MappingsQuery {
  from?: bigint;
  to?: bigint;
  limit?: number;
  cursor?: string;
}

export interface Vm {
  readonly config: VmConfig;
  /** kvm->arch.pre_fault_allowed */
  readonly preFaultAllowed: boolean;
  /** kvm->vm_dead (POST …/mark-dead): every ioctl answers EIO from then on. */
  readonly dead: boolean;
  /** KVM_GET_SUPPORTED_CPUID 0x80000008 EAX[23:16]: the widest GPA this host's TDP can map. */
  readonly guestPhysBits: number;
  /**
   * Apply one state-changing operation; throws SimError for caller mistakes (nothing
   * changed then). `opts.trace`: an array that receives this operation's KVM MMU
   * tracepoint events (mmu/tracepoint.ts), in order; omitted, nothing is recorded.
   */
  apply(op: Operation, opts?: ApplyOptions): OperationResult;
  vcpus(): VcpuView[];
  vcpu(id: number): VcpuView;
  memslots(): MemslotView[];
  memoryAttributes(): { address: string; size: string; private: boolean }[];
  capabilities(): { KVM_CAP_PRE_FAULT_MEMORY: 0 | 1 };
  roots(): RootView[];
  mappings(rootId: string, query?: MappingsQuery): MappingsPage;
  walk(rootId: string, gpa: bigint): WalkResult;
  /** Page-table bytes held by this VM (4 KiB per table), for limits and metrics. */
  tableBytes(): number;
}

export interface ApplyOptions {
  trace?: TracepointSink;
}

export const MAX_MAPPINGS_LIMIT = 10_000;

class SimVm implements Vm {
  private readonly state: VmState;
  /** kvm->vm_dead: set by kvm_vm_dead(), never cleared. */
  private isDead = false;

  constructor(config: VmConfig, limits: VmLimits, engine: EngineOptions) {
    this.state = newVmState(config, limits, engine);
  }

  get config(): VmConfig {
    return this.state.config;
  }

  get preFaultAllowed(): boolean {
    return this.state.preFaultAllowed;
  }

  get dead(): boolean {
    return this.isDead;
  }

  get guestPhysBits(): number {
    return supportedGuestPhysBits(this.state.config.host);
  }

  apply(op: Operation, opts?: ApplyOptions): OperationResult {
    if (opts?.trace === undefined) return this.applyOp(op);
    this.state.trace = opts.trace;
    try {
      return this.applyOp(op);
    } finally {
      this.state.trace = undefined;
    }
  }

  private applyOp(op: Operation): OperationResult {
    if (op.op === 'mark_dead') {
      // kvm_vm_dead(): irreversible; marking a dead VM again changes nothing.
      this.isDead = true;
      return ioctlResult(0);
    }
    if (this.isDead) return this.deadAnswer(op);
    const s = this.state;
    switch (op.op) {
      case 'create_vcpu':
        return vcpuView(s, createVcpu(s, op.vcpu));
      case 'set_vcpu_mode': {
        const vcpu = this.vcpuById(op.vcpuId);
        setVcpuMode(s, vcpu, op.patch);
        return vcpuView(s, vcpu);
      }
      case 'set_memslot':
        return setUserMemoryRegion(s, checkAs(op.addressSpace), checkSlotId(op.slot), op.region);
      case 'delete_memslot':
        return deleteUserMemoryRegion(s, checkAs(op.addressSpace), checkSlotId(op.slot));
      case 'set_memory_attributes':
        return setMemoryAttributes(s, parseU64(op.address, 'address'), parseU64(op.size, 'size'), op.private);
      case 'finalize':
        return finalizeVm(s);
      case 'pre_fault': {
        const gpa = parseU64(op.gpa, 'gpa');
        const size = parseU64(op.size, 'size');
        const flags = parseU64(op.flags, 'flags');
        // padding[5] is never validated by the kernel; it only has to be five u64s.
        if (op.padding !== undefined) {
          if (op.padding.length > 5) throw invalid('padding', 'padding has five u64 words');
          op.padding.forEach((p, i) => parseU64(p, `padding/${i}`));
        }
        const after = op.inject?.signalAfterIterations;
        if (after !== undefined && after !== null && (!Number.isSafeInteger(after) || after < 0))
          throw invalid('inject/signalAfterIterations', 'signalAfterIterations must be a non-negative integer or null');
        const vcpu = this.vcpuById(op.vcpuId);
        const invalidSlot = this.slotBeingDeleted(op.inject?.memslotBeingDeleted);
        return kvmVcpuPreFaultMemory(s, vcpu, { gpa, size, flags, inject: op.inject ?? {}, invalidSlot });
      }
      case 'access': {
        const gpa = parseU64(op.gpa, 'gpa');
        if (!['read', 'write', 'exec'].includes(op.kind)) throw invalid('kind', 'kind must be read, write or exec');
        return guestAccess(s, this.vcpuById(op.vcpuId), gpa, op.kind);
      }
    }
  }

  vcpus(): VcpuView[] {
    return [...this.state.vcpus.values()].sort((a, b) => a.id - b.id).map((v) => vcpuView(this.state, v));
  }

  vcpu(id: number): VcpuView {
    return vcpuView(this.state, this.vcpuById(id));
  }

  memslots(): MemslotView[] {
    return this.state.slots.all().map(memslotView);
  }

  memoryAttributes(): { address: string; size: string; private: boolean }[] {
    return this.state.attrs.list().map((r) => ({ address: gfnToHex(r.start), size: gfnToHex(r.end - r.start), private: true }));
  }

  capabilities(): { KVM_CAP_PRE_FAULT_MEMORY: 0 | 1 } {
    // kvm_vm_ioctl_check_extension: "TDP enabled", whatever the VM or vCPU state.
    return { KVM_CAP_PRE_FAULT_MEMORY: this.state.config.host.tdp ? 1 : 0 };
  }

  roots(): RootView[] {
    const vcpus = [...this.state.vcpus.values()];
    return this.state.roots.valid().map((r) => ({
      ...r.ref(),
      vcpus: vcpus
        .filter((v) => v.root === r || v.mirrorRoot === r)
        .map((v) => v.id)
        .sort((a, b) => a - b),
      counts: { ...r.counts },
    }));
  }

  mappings(rootId: string, query: MappingsQuery = {}): MappingsPage {
    const root = this.rootById(rootId);
    const reach = PAGES_PER_LEVEL[root.role.level]! * 512;
    const from = query.cursor !== undefined ? parseU64(query.cursor, 'cursor') : (query.from ?? 0n);
    const to = query.to ?? BigInt(reach) << 12n;
    const limit = query.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_MAPPINGS_LIMIT)
      throw invalid('limit', `limit must be an integer from 1 to ${MAX_MAPPINGS_LIMIT}`);
    if (to < from) throw invalid('to', 'to must not be below from');
    const fromGfn = Math.min(Number(from >> 12n), reach);
    const toGfn = Math.min(Number((to + 4095n) >> 12n), reach);
    return listMappings(root, fromGfn, toGfn, limit);
  }

  walk(rootId: string, gpa: bigint): WalkResult {
    return walkGfn(this.rootById(rootId), Number(gpa >> 12n), this.state.config.host.vendor);
  }

  tableBytes(): number {
    return this.state.roots.tableBytes();
  }

  /**
   * A dead VM (kvm_vcpu_ioctl / kvm_vm_ioctl test kvm->vm_dead first): EIO before any
   * validation. A vCPU ioctl still needs an existing vCPU fd; a pre-fault echoes its range.
   */
  private deadAnswer(op: Exclude<Operation, { op: 'mark_dead' }>): OperationResult {
    const dead = ioctlResult(EIO, VM_DEAD_REASON);
    switch (op.op) {
      case 'pre_fault':
        this.vcpuById(op.vcpuId);
        return preFaultEarly(
          { gpa: parseU64(op.gpa, 'gpa'), size: parseU64(op.size, 'size'), flags: parseU64(op.flags, 'flags') },
          EIO,
          VM_DEAD_REASON,
        );
      case 'access':
        this.vcpuById(op.vcpuId);
        return { ...dead, exit: null, iterations: [], root: null, mapped: [] };
      case 'set_vcpu_mode':
        this.vcpuById(op.vcpuId);
        return dead;
      case 'set_memslot':
      case 'delete_memslot':
        return { ...dead, memslot: null };
      default:
        return dead;
    }
  }

  /** inject.memslotBeingDeleted: an existing slot, or a 404. */
  private slotBeingDeleted(ref: { addressSpace: number; slot: number } | null | undefined) {
    if (ref === undefined || ref === null) return undefined;
    const slot = this.state.slots.byId(checkAs(ref.addressSpace), checkSlotId(ref.slot));
    if (!slot) throw notFound(`memslot ${ref.slot} does not exist in address space ${ref.addressSpace} (inject.memslotBeingDeleted)`);
    return slot;
  }

  private vcpuById(id: number): Vcpu {
    const v = this.state.vcpus.get(id);
    if (!v) throw notFound(`vCPU ${id} does not exist in this VM`);
    return v;
  }

  private rootById(id: string) {
    const r = this.state.roots.byId(id);
    if (!r) throw notFound(`root ${id} does not exist (or was invalidated) in this VM`);
    return r;
  }
}

function checkAs(as: number): number {
  if (!Number.isInteger(as) || as < 0 || as > 1) throw invalid('addressSpace', 'addressSpace must be 0 or 1');
  return as;
}

export function checkSlotId(slot: number): number {
  if (!Number.isInteger(slot) || slot < 0 || slot > 0xffff) throw invalid('slot', 'slot must be an integer from 0 to 65535');
  return slot;
}

/** `engine`: how to compute (EngineOptions); the answers are the same either way. */
export function createVm(config: VmConfig, limits: Partial<VmLimits> = {}, engine: Partial<EngineOptions> = {}): Vm {
  return new SimVm(config, { ...DEFAULT_LIMITS, ...limits }, { ...DEFAULT_ENGINE, ...engine });
}

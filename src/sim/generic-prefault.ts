// The parts of KVM_PRE_FAULT_MEMORY that kvm_main.c gives every architecture, for the
// arm64 and s390 engines: V1–V4 at the host PAGE_SIZE (spec part 2 §16.2), the generic loop
// (reused from prefault.ts, in 4K frames), and the v2 response rows. Results stay negative
// errnos until archPreFaultResult names them.

import type { ArchIterationResult, ArchIterationRow, ArchLevelName, ArchMappingRow, ArchPreFaultRequest, ArchPreFaultResult } from './arch-types.js';
import { errnoName, ioctlResult } from './errno.js';
import { preFaultLoop, type LoopOutcome } from './prefault.js';
import { U64_MAX, hex, parseU64 } from './u64.js';
import type { Hex } from './types.js';

export interface ParsedPreFault {
  gpa: bigint;
  size: bigint;
  flags: bigint;
}

export const parsePreFault = (req: ArchPreFaultRequest): ParsedPreFault => ({
  gpa: parseU64(req.gpa, 'gpa'),
  size: parseU64(req.size, 'size'),
  flags: parseU64(req.flags ?? '0x0', 'flags'),
});

/** kvm_vcpu_pre_fault_memory V1–V4, with PAGE_ALIGNED at the host page size. Null when the range is valid. */
export function checkPreFaultRange(p: ParsedPreFault, pageBytes: number): string | null {
  const mask = BigInt(pageBytes - 1);
  if (p.flags !== 0n) return 'range->flags is not 0 (kvm_vcpu_pre_fault_memory)';
  if ((p.gpa & mask) !== 0n) return `range->gpa is not PAGE_ALIGNED to the host page size, ${pageBytes / 1024}K (kvm_vcpu_pre_fault_memory)`;
  if ((p.size & mask) !== 0n) return `range->size is not PAGE_ALIGNED to the host page size, ${pageBytes / 1024}K (kvm_vcpu_pre_fault_memory)`;
  if (((p.gpa + p.size) & U64_MAX) <= p.gpa) return 'range->gpa + range->size wraps around or range->size is 0 (kvm_vcpu_pre_fault_memory)';
  return null;
}

export const SIGNAL_REASON = 'a signal is pending: signal_pending(current) at the top of the loop (kvm_vcpu_pre_fault_memory)';

/** A failure before the loop: nothing copied back changes, no iteration row. */
export function archPreFaultEarly<R, B>(p: ParsedPreFault, r: number, reason: string): ArchPreFaultResult<R, B> {
  return { ...ioctlResult(r, reason), range: { gpa: hex(p.gpa), size: hex(p.size), flags: hex(p.flags) }, iterations: [], root: null, mapped: [] };
}

/** The generic loop over the validated range (4K frames); `signalAfter` successful iterations before a signal. */
export const runArchLoop = (p: ParsedPreFault, signalAfter: number, step: (gfn: number, frames: number) => number): LoopOutcome =>
  preFaultLoop(Number(p.gpa >> 12n), Number(p.size >> 12n), signalAfter, step);

/** The answer after the loop: progress hides the error (L5), range advanced by what was consumed; no root without an iteration. */
export function archPreFaultResult<R, B>(
  p: ParsedPreFault,
  out: LoopOutcome,
  stepReason: string | undefined,
  rows: ArchIterationRows,
  root: R | null,
  mapped: ArchMappingRow<B>[],
): ArchPreFaultResult<R, B> {
  const consumed = BigInt(out.consumed) << 12n;
  const iterations = rows.finish();
  const last = iterations[iterations.length - 1];
  if (last?.errno && stepReason) last.reason = stepReason;
  return {
    ...ioctlResult(out.ret, out.signalled ? SIGNAL_REASON : stepReason),
    range: { gpa: hex(p.gpa + consumed), size: hex(p.size - consumed), flags: hex(p.flags) },
    iterations,
    root: iterations.length > 0 ? root : null,
    mapped,
  };
}

/**
 * gfnToHex without a bigint: the same string for every frame number, as multiplying by 4096
 * (a power of two) is exact in a double up to its largest value.
 */
const frameHex = (frames: number): Hex => `0x${(frames * 4096).toString(16)}`;

/**
 * Iteration rows; consecutive equal results over contiguous gpas merge (v2: fsc and attempts
 * must match too). The open run is kept in fields, not an object: this is on the hot path.
 */
export class ArchIterationRows {
  private readonly rows: ArchIterationRow[] = [];
  private open = false;
  private startGfn = 0;
  private nextGfn = -1;
  private result: ArchIterationResult = 'FIXED';
  private level: ArchLevelName | null = null;
  private frames = 0;
  private r = 0;
  private fsc: string | null = null;
  private attempts = 0;
  private count = 0;

  constructor(private readonly withFaultFields: boolean) {}

  add(
    gfn: number,
    result: ArchIterationResult,
    level: ArchLevelName | null,
    frames: number,
    r: number,
    fsc: string | null = null,
    attempts = 0,
  ): void {
    if (
      this.open &&
      frames > 0 &&
      gfn === this.nextGfn &&
      result === this.result &&
      level === this.level &&
      frames === this.frames &&
      r === this.r &&
      fsc === this.fsc &&
      attempts === this.attempts
    ) {
      this.count++;
      this.nextGfn += frames;
      return;
    }
    this.flush();
    this.open = true;
    this.startGfn = gfn;
    this.nextGfn = gfn + frames;
    this.result = result;
    this.level = level;
    this.frames = frames;
    this.r = r;
    this.fsc = fsc;
    this.attempts = attempts;
    this.count = 1;
  }

  finish(): ArchIterationRow[] {
    this.flush();
    return this.rows;
  }

  private flush(): void {
    if (!this.open) return;
    const row: ArchIterationRow = {
      gpa: frameHex(this.startGfn),
      result: this.result,
      level: this.level,
      consumed: frameHex(this.frames),
      count: this.count,
      errno: this.r < 0 ? errnoName(this.r) : null,
    };
    if (this.withFaultFields) {
      row.fsc = this.fsc;
      row.attempts = this.attempts;
    }
    this.rows.push(row);
    this.open = false;
  }
}

/** The state words and arch bits of one leaf, decoded from the engine's flag number. */
export interface LeafWords<B> {
  writable: boolean;
  executable: boolean;
  accessed: boolean;
  dirty: boolean | null;
  archBits: B;
}

/** Coalesces leaves visited in gfn order into mapping rows: same level and bits, contiguous gpa and host frames. */
export class ArchMappingCoalescer<B> {
  private readonly rows: ArchMappingRow<B>[] = [];
  private open = false;
  private gfn = 0;
  private nextGfn = -1;
  private nextPa = -1;
  private pa = 0;
  private level: ArchLevelName = '4K';
  private frames = 0;
  private flags = -1;
  private count = 0;

  constructor(
    private readonly decode: (flags: number) => LeafWords<B>,
    /** 4K frames per host pfn (hostPfn counts host pages). */
    private readonly pfnFrames: number,
  ) {}

  add(gfn: number, frames: number, level: ArchLevelName, paFrame: number, flags: number): void {
    if (this.open && gfn === this.nextGfn && paFrame === this.nextPa && level === this.level && flags === this.flags) {
      this.count++;
      this.nextGfn += frames;
      this.nextPa += frames;
      return;
    }
    this.flush();
    this.open = true;
    this.gfn = gfn;
    this.pa = paFrame;
    this.nextGfn = gfn + frames;
    this.nextPa = paFrame + frames;
    this.level = level;
    this.frames = frames;
    this.flags = flags;
    this.count = 1;
  }

  finish(): ArchMappingRow<B>[] {
    this.flush();
    return this.rows;
  }

  private flush(): void {
    if (!this.open) return;
    const w = this.decode(this.flags);
    this.rows.push({
      gpa: frameHex(this.gfn),
      size: hex(BigInt(this.count) * BigInt(this.frames) * 4096n),
      level: this.level,
      count: this.count,
      kind: 'ram',
      hostPfn: hex(Math.floor(this.pa / this.pfnFrames)),
      private: false,
      ...w,
    });
    this.open = false;
  }
}

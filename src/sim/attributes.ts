// Memory attributes (KVM_SET_MEMORY_ATTRIBUTES): which gfns are private. Kept as sorted,
// disjoint, non-adjacent [start, end) gfn runs, the shape of kvm->mem_attr_array.

export interface GfnRun {
  start: number;
  end: number;
}

export class PrivateRanges {
  private runs: GfnRun[] = [];

  list(): readonly GfnRun[] {
    return this.runs;
  }

  /** kvm_vm_set_mem_attributes: set or clear PRIVATE on [start, end). */
  set(start: number, end: number, isPrivate: boolean): void {
    const out: GfnRun[] = [];
    for (const r of this.runs) {
      // Keep the parts of r outside [start, end).
      if (r.end <= start || r.start >= end) out.push(r);
      else {
        if (r.start < start) out.push({ start: r.start, end: start });
        if (r.end > end) out.push({ start: end, end: r.end });
      }
    }
    if (isPrivate) out.push({ start, end });
    out.sort((a, b) => a.start - b.start);
    // Merge touching runs so that lookups see one run per private region.
    const merged: GfnRun[] = [];
    for (const r of out) {
      const last = merged[merged.length - 1];
      if (last && last.end >= r.start) last.end = Math.max(last.end, r.end);
      else merged.push({ ...r });
    }
    this.runs = merged;
  }

  /** kvm_mem_is_private */
  isPrivate(gfn: number): boolean {
    const runs = this.runs;
    let lo = 0;
    let hi = runs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = runs[mid]!;
      if (gfn < r.start) hi = mid - 1;
      else if (gfn >= r.end) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** The first gfn of (gfn, end) whose kvm_mem_is_private differs from gfn's, or `end`. */
  sameUntil(gfn: number, end: number): number {
    for (const r of this.runs) {
      if (r.end <= gfn) continue;
      return Math.min(r.start <= gfn ? r.end : r.start, end);
    }
    return end;
  }

  /** hugepage_has_attrs negated: does [start, end) hold both private and shared gfns? */
  mixed(start: number, end: number): boolean {
    let covered = 0;
    for (const r of this.runs) {
      if (r.end <= start) continue;
      if (r.start >= end) break;
      covered += Math.min(r.end, end) - Math.max(r.start, start);
    }
    return covered !== 0 && covered !== end - start;
  }
}

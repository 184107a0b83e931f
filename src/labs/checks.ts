// Grading: every check reads ENGINE STATE (roots, leaves, vCPUs, slots) or the operation
// log the server recorded, never what a client claims. The same checks read an x86 VM and an
// arm64/s390 one: both answer the reads below, with the contract's root, row and walk shapes.
import { parseU64 } from '../sim/index.js';
import { LEVEL_BYTES } from '../sim/generic-memslots.js';
import { matches } from './match.js';
import type { Check, CheckOutcome, Lab, LabGrade, LevelName, LoggedOperation, RoleFilter } from './lab-types.js';

/** What grading reads of an engine VM of any arch (the x86 Vm, or an arm64/s390 VM behind the same reads). */
interface GradedVm {
  readonly preFaultAllowed: boolean;
  roots(): unknown[];
  mappings(rootId: string, query: { from: bigint; to: bigint; limit: number; cursor?: string }): { mappings: unknown[]; nextCursor: string | null };
  walk(rootId: string, gpa: bigint): unknown;
  memslots(): unknown[];
  /** Absent where the arch has no memory attributes (arm64, s390): every gpa is shared. */
  memoryAttributes?(): { address: string; size: string }[];
}

/** The fields of a root, mapping row and walk that checks read; every arch's views have them. */
type RootView = { id: string; vcpus: number[]; counts: Record<string, number> } & Record<string, unknown>;
type MappingRow = { gpa: string; size: string; level: LevelName; kind: string } & Record<string, unknown>;
type WalkResult = { steps: { leaf: boolean; mapping: MappingRow | null }[] };

export interface GradeInput {
  vms: Record<string, GradedVm>;
  /** Per VM name, the operations the server logged (set-up included). */
  operations?: Record<string, LoggedOperation[]>;
}

const rootsOf = (vm: GradedVm, role?: RoleFilter): RootView[] => (vm.roots() as RootView[]).filter((r) => roleMatches(r, role));

/** Leaves of every size a root holds (its counts without the tables). */
const leavesIn = (root: RootView): number => Object.entries(root.counts).reduce((n, [k, v]) => (k === 'tables' ? n : n + v), 0);

const roleMatches = (root: RootView, role: RoleFilter = {}): boolean => Object.entries(role).every(([k, v]) => root[k] === v);

const describeRole = (role: RoleFilter = {}): string =>
  Object.keys(role).length === 0
    ? 'any root'
    : `root {${Object.entries(role)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join(', ')}}`;

/** The role as a sentence's subject: "Root {smm: true}" or "Any root". */
const roleSubject = (role?: RoleFilter): string => describeRole(role).replace(/^./, (c) => c.toUpperCase());

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** Details read as sentences: what the engine holds, then what the check wants (one failing form stays as a test quotes it). */
type Verdict = { passed: boolean; detail: string };

/** Leaves of `level` in [from, to) over the matching roots, clipped to the range. */
function leafCount(vm: GradedVm, roots: RootView[], from: bigint, to: bigint, level: LevelName): number {
  let n = 0n;
  const page = BigInt(LEVEL_BYTES[level]);
  for (const root of roots) {
    let cursor: string | undefined;
    do {
      const p = vm.mappings(root.id, { from, to, limit: 10_000, ...(cursor ? { cursor } : {}) });
      for (const row of p.mappings as MappingRow[]) {
        if (row.level !== level || row.kind !== 'ram') continue;
        const start = BigInt(row.gpa);
        const end = start + BigInt(row.size);
        const lo = start > from ? start : from;
        const hi = end < to ? end : to;
        if (hi > lo) n += (hi - start + page - 1n) / page - (lo - start) / page;
      }
      cursor = p.nextCursor ?? undefined;
    } while (cursor);
  }
  return Number(n);
}

/**
 * What the student's last call of this kind answered, with the kernel check that failed
 * (`reason`) when there is one: "; the last one answered EINVAL: <reason>".
 */
function lastAttempt(log: LoggedOperation[], op: Record<string, unknown>): string {
  const last = [...log].reverse().find((e) => matches(op, e.op))?.result as { ret?: number; errno?: string | null; reason?: string } | undefined;
  if (!last || typeof last.ret !== 'number') return '';
  return `; the last one answered ${last.errno ?? `ret ${last.ret}`}${last.reason ? `: ${last.reason}` : ''}`;
}

function evaluate(check: Check, vm: GradedVm, log: LoggedOperation[] | undefined): Verdict {
  switch (check.kind) {
    case 'rootExists': {
      const found = rootsOf(vm, check.role);
      const withVcpus = found.filter((r) => (check.vcpus ?? []).every((id) => r.vcpus.includes(id)));
      const wanted = check.empty === undefined ? withVcpus : withVcpus.filter((r) => (leavesIn(r) === 0) === check.empty);
      if (wanted.length > 0) {
        const leaves = check.empty === undefined ? '' : ` and holds ${plural(leavesIn(wanted[0]!), 'leaf', 'leaves')}`;
        return { passed: true, detail: `${roleSubject(check.role)} exists (${wanted[0]!.id})${leaves}.` };
      }
      if (withVcpus.length > 0)
        return {
          passed: false,
          detail: `${roleSubject(check.role)} exists (${withVcpus[0]!.id}) and holds ${plural(leavesIn(withVcpus[0]!), 'leaf', 'leaves')}; the check wants it ${check.empty ? 'empty' : 'to hold a leaf'}.`,
        };
      if (found.length > 0)
        return { passed: false, detail: `${roleSubject(check.role)} exists, but vCPUs ${JSON.stringify(check.vcpus)} have not all loaded it.` };
      return { passed: false, detail: `There is no ${describeRole(check.role)} yet.` };
    }
    case 'rootCount': {
      const n = rootsOf(vm, check.role).length;
      const have = check.role
        ? `${plural(n, 'root matches', 'roots match')} ${describeRole(check.role).slice('root '.length)}`
        : `The VM has ${plural(n, 'root', 'roots')}`;
      return { passed: n === check.equals, detail: `${have}; the check wants ${check.equals}.` };
    }
    case 'mappingAt': {
      const gpa = parseU64(check.gpa, 'gpa');
      const roots = rootsOf(vm, check.role);
      const want = {
        level: check.level,
        kind: check.mapKind,
        private: check.private,
        writable: check.writable,
        dirty: check.dirty,
        accessed: check.accessed,
        executable: check.executable,
      };
      const seen: string[] = [];
      for (const root of roots) {
        const leaf = (vm.walk(root.id, gpa) as WalkResult).steps.find((s) => s.leaf)?.mapping;
        if (!leaf) continue;
        const bits = Object.entries(want).filter(([, v]) => v !== undefined);
        if (bits.every(([k, v]) => leaf[k] === v))
          return { passed: true, detail: `Root ${root.id} maps ${check.gpa} with a ${leaf.level} ${leaf.kind} leaf.` };
        seen.push(`${root.id}: ${leaf.level} ${leaf.kind} ${bits.map(([k]) => `${k}=${String(leaf[k])}`).join(' ')}`);
      }
      if (roots.length === 0) return { passed: false, detail: `There is no ${describeRole(check.role)} yet.` };
      return {
        passed: false,
        detail: seen.length ? `The leaf at ${check.gpa} differs (${seen.join('; ')}).` : `Nothing maps ${check.gpa} in ${describeRole(check.role)}.`,
      };
    }
    case 'leafCount': {
      const roots = rootsOf(vm, check.role);
      const n = leafCount(vm, roots, parseU64(check.from, 'from'), parseU64(check.to, 'to'), check.level);
      const ok = (check.equals === undefined || n === check.equals) && (check.atLeast === undefined || n >= check.atLeast);
      const want = check.equals !== undefined ? `${check.equals}` : `at least ${check.atLeast}`;
      return {
        passed: ok,
        detail: `[${check.from}, ${check.to}) holds ${plural(n, `${check.level} leaf`, `${check.level} leaves`)}; the check wants ${want}.`,
      };
    }
    case 'vmState':
      return {
        passed: vm.preFaultAllowed === check.preFaultAllowed,
        detail: `The VM's preFaultAllowed is ${vm.preFaultAllowed}; the check wants ${check.preFaultAllowed}.`,
      };
    case 'memslotFlags': {
      const slot = (vm.memslots() as { addressSpace: number; slot: number; flags: string[] }[]).find(
        (m) => m.addressSpace === check.addressSpace && m.slot === check.slot,
      );
      if (!slot) return { passed: false, detail: `There is no memslot ${check.slot} in address space ${check.addressSpace}.` };
      const ok = check.includes.every((f) => slot.flags.includes(f));
      return {
        passed: ok,
        detail: `Memslot ${check.slot} in address space ${check.addressSpace} has flags [${slot.flags.join(', ')}]; the check wants [${check.includes.join(', ')}].`,
      };
    }
    case 'memoryAttribute': {
      const gpa = parseU64(check.gpa, 'gpa');
      const isPrivate = (vm.memoryAttributes?.() ?? []).some((a) => BigInt(a.address) <= gpa && gpa < BigInt(a.address) + BigInt(a.size));
      return {
        passed: isPrivate === check.private,
        detail: `${check.gpa} is ${isPrivate ? 'private' : 'shared'}; the check wants it ${check.private ? 'private' : 'shared'}.`,
      };
    }
    case 'operationLogged': {
      if (!log) return { passed: false, detail: 'The operation log was not available to the grader.' };
      const n = log.filter((e) => matches(check.op, e.op) && (check.result === undefined || matches(check.result, e.result))).length;
      const want = check.atLeast ?? 1;
      const op = String(check.op.op ?? 'operation');
      // The failing form stays as test/labs/predict.test.ts quotes it; the passing one is a sentence.
      if (n >= want)
        return { passed: true, detail: `The log has ${plural(n, `matching ${op}`, `matching ${op}s`)}; the check wants at least ${want}.` };
      return { passed: false, detail: `${n} logged ${op}${n === 1 ? '' : 's'} match (want ${want})${lastAttempt(log, check.op)}` };
    }
  }
}

/** One check against the session's state; a missing VM or a bad address is "not yet", never a throw. */
export function evaluateCheck(check: Check, input: GradeInput): CheckOutcome {
  const vm = input.vms[check.vm];
  let verdict: Verdict;
  if (!vm) verdict = { passed: false, detail: `the session has no VM named ${check.vm}` };
  else {
    try {
      verdict = evaluate(check, vm, input.operations?.[check.vm]);
    } catch (e) {
      verdict = { passed: false, detail: `The check could not be evaluated: ${(e as Error).message}` };
    }
  }
  return { kind: check.kind, vm: check.vm, passed: verdict.passed, detail: verdict.detail, ...(verdict.passed ? {} : { hint: check.hint }) };
}

/** Every check of the lab, task by task: the order assembleGrade expects outcomes in. */
export const labChecks = (lab: Lab): Check[] => lab.tasks.flatMap((t) => t.checks);

/** Per task: passed when all its checks pass; `outcomes` are in labChecks order. */
export function assembleGrade(lab: Lab, outcomes: CheckOutcome[]): LabGrade {
  let next = 0;
  const tasks = lab.tasks.map((t) => {
    const checks = t.checks.map(() => outcomes[next++]!);
    return { n: t.n, title: t.title, passed: checks.every((c) => c.passed), checks };
  });
  return { labId: lab.id, passed: tasks.every((t) => t.passed), tasks };
}

/** Grades every check against engine VMs held in this thread (tests, solutions). */
export const gradeLab = (lab: Lab, input: GradeInput): LabGrade =>
  assembleGrade(
    lab,
    labChecks(lab).map((c) => evaluateCheck(c, input)),
  );

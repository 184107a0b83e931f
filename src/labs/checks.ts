// Grading: every check reads ENGINE STATE (roots, leaves, vCPUs, slots) or the operation
// log the server recorded, never what a client claims.
import { parseU64, type RootView, type Vm } from '../sim/index.js';
import { matches } from './match.js';
import type { Check, CheckOutcome, Lab, LabGrade, LevelName, LoggedOperation, RoleFilter } from './lab-types.js';

export interface GradeInput {
  vms: Record<string, Vm>;
  /** Per VM name, the operations the server logged (set-up included). */
  operations?: Record<string, LoggedOperation[]>;
}

const LEVEL_BYTES: Record<LevelName, bigint> = { '4K': 0x1000n, '2M': 0x200000n, '1G': 0x40000000n };

const roleMatches = (root: RootView, role: RoleFilter = {}): boolean =>
  Object.entries(role).every(([k, v]) => (root as unknown as Record<string, unknown>)[k] === v);

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
function leafCount(vm: Vm, roots: RootView[], from: bigint, to: bigint, level: LevelName): number {
  let n = 0n;
  const page = LEVEL_BYTES[level];
  for (const root of roots) {
    let cursor: string | undefined;
    do {
      const p = vm.mappings(root.id, { from, to, limit: 10_000, ...(cursor ? { cursor } : {}) });
      for (const row of p.mappings) {
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

function evaluate(check: Check, vm: Vm, log: LoggedOperation[] | undefined): Verdict {
  switch (check.kind) {
    case 'rootExists': {
      const found = vm.roots().filter((r) => roleMatches(r, check.role));
      const withVcpus = found.filter((r) => (check.vcpus ?? []).every((id) => r.vcpus.includes(id)));
      if (withVcpus.length > 0) return { passed: true, detail: `${roleSubject(check.role)} exists (${withVcpus[0]!.id}).` };
      if (found.length > 0)
        return { passed: false, detail: `${roleSubject(check.role)} exists, but vCPUs ${JSON.stringify(check.vcpus)} have not all loaded it.` };
      return { passed: false, detail: `There is no ${describeRole(check.role)} yet.` };
    }
    case 'rootCount': {
      const n = vm.roots().filter((r) => roleMatches(r, check.role)).length;
      const have = check.role
        ? `${plural(n, 'root matches', 'roots match')} ${describeRole(check.role).slice('root '.length)}`
        : `The VM has ${plural(n, 'root', 'roots')}`;
      return { passed: n === check.equals, detail: `${have}; the check wants ${check.equals}.` };
    }
    case 'mappingAt': {
      const gpa = parseU64(check.gpa, 'gpa');
      const roots = vm.roots().filter((r) => roleMatches(r, check.role));
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
        const leaf = vm.walk(root.id, gpa).steps.find((s) => s.leaf)?.mapping;
        if (!leaf) continue;
        const bits = Object.entries(want).filter(([, v]) => v !== undefined);
        if (bits.every(([k, v]) => (leaf as unknown as Record<string, unknown>)[k] === v))
          return { passed: true, detail: `Root ${root.id} maps ${check.gpa} with a ${leaf.level} ${leaf.kind} leaf.` };
        seen.push(
          `${root.id}: ${leaf.level} ${leaf.kind} ${bits.map(([k]) => `${k}=${String((leaf as unknown as Record<string, unknown>)[k])}`).join(' ')}`,
        );
      }
      if (roots.length === 0) return { passed: false, detail: `There is no ${describeRole(check.role)} yet.` };
      return {
        passed: false,
        detail: seen.length ? `The leaf at ${check.gpa} differs (${seen.join('; ')}).` : `Nothing maps ${check.gpa} in ${describeRole(check.role)}.`,
      };
    }
    case 'leafCount': {
      const roots = vm.roots().filter((r) => roleMatches(r, check.role));
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
      const slot = vm.memslots().find((m) => m.addressSpace === check.addressSpace && m.slot === check.slot);
      if (!slot) return { passed: false, detail: `There is no memslot ${check.slot} in address space ${check.addressSpace}.` };
      const ok = check.includes.every((f) => (slot.flags as string[]).includes(f));
      return {
        passed: ok,
        detail: `Memslot ${check.slot} in address space ${check.addressSpace} has flags [${slot.flags.join(', ')}]; the check wants [${check.includes.join(', ')}].`,
      };
    }
    case 'memoryAttribute': {
      const gpa = parseU64(check.gpa, 'gpa');
      const isPrivate = vm.memoryAttributes().some((a) => BigInt(a.address) <= gpa && gpa < BigInt(a.address) + BigInt(a.size));
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

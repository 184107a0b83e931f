// Answers derived from kvm-prefault-spec.md rules alone (no engine), to cross-check the
// keys generateQuiz computes by running the engine.
import type { ApiCall, LabVmSetup } from '../../src/labs/lab-types.js';
import { NO_ROOT } from '../../src/labs/quiz-topics.js';
import type { Quiz } from '../../src/labs/quiz.js';

const big = (v: unknown): bigint => BigInt(v as string);
const vcpuOf = (call: ApiCall): number => Number(call.path.split('/')[5]);
const PAGE: Record<string, bigint> = { '4K': 0x1000n, '2M': 0x200000n, '1G': 0x40000000n };

/** §4.2 and §3.4: the root a vCPU's pre-fault uses under upstream, as the quiz labels it. */
function upstreamRoot(setup: LabVmSetup, vcpuId: number): string {
  const host = setup.config.host ?? {};
  const v = setup.vcpus!.find((x) => x.id === vcpuId)!;
  if (host.tdp === false || (v.guestMode && v.nestedTdp !== false)) return NO_ROOT;
  const level = host.vendor === 'amd' ? (host.pagingLevel ?? 4) : host.maxTdpLevel === 5 && (v.maxPhysAddr ?? 46) > 48 ? 5 : 4;
  return `level ${level}, smm ${v.smm ? 1 : 0}, guest_mode ${v.guestMode ? 1 : 0}`;
}

/** §2.1 (V1-V4), §2.2 (signals), §3.4 (nested TDP), §7 (no slot) for one pre-fault call. */
function errnoOf(setup: LabVmSetup, call: ApiCall): { ret: string; sizeLeft: bigint } {
  const b = call.body!;
  const gpa = big(b.gpa);
  const size = big(b.size);
  const slot = setup.memslots![0]!;
  const [base, end] = [big(slot.guestPhysAddr), big(slot.guestPhysAddr) + big(slot.size)];
  const inject = (b.inject ?? {}) as { signalPending?: boolean; signalAfterIterations?: number };
  const v = setup.vcpus!.find((x) => x.id === vcpuOf(call))!;
  const fail = (ret: string) => ({ ret, sizeLeft: size });
  if (Number(b.flags ?? 0) !== 0 || gpa % 0x1000n !== 0n || size % 0x1000n !== 0n) return fail('-EINVAL');
  if ((gpa + size) % 2n ** 64n <= gpa) return fail('-EINVAL');
  if (inject.signalPending) return fail('-EINTR');
  if (v.guestMode && v.nestedTdp !== false) return fail('-EOPNOTSUPP');
  // 4K host backing: every iteration consumes one page; stop at a signal or the slot end.
  let pages = size >> 12n;
  if (inject.signalAfterIterations != null) pages = pages < BigInt(inject.signalAfterIterations) ? pages : BigInt(inject.signalAfterIterations);
  const inSlot = gpa >= base && gpa < end ? (end - gpa) >> 12n : 0n;
  const done = pages < inSlot ? pages : inSlot;
  if (done === 0n) return fail('-ENOENT');
  return { ret: '0', sizeLeft: size - (done << 12n) };
}

/** §9 tables: (ret, root) per policy and vCPU state, for a one-page pre-fault. */
function policyOutcome(setup: LabVmSetup, call: ApiCall): { ret: string; root: string } {
  const policy = setup.config.prefaultPolicy ?? 'upstream';
  const v = setup.vcpus!.find((x) => x.id === vcpuOf(call))!;
  const gpa = big(call.body!.gpa);
  const smram = setup.memslots!.find((m) => m.addressSpace === 1)!;
  const inAs1 = gpa >= big(smram.guestPhysAddr) && gpa < big(smram.guestPhysAddr) + big(smram.size);
  const none = { ret: '-EOPNOTSUPP', root: NO_ROOT };
  const root = (smm: number, gm: number): string => `level 4, smm ${smm}, guest_mode ${gm}`;
  const l2Nested = v.guestMode && v.nestedTdp !== false;
  if (policy === 'reject-smm-guest-mode') return v.smm || v.guestMode ? none : { ret: '0', root: root(0, 0) };
  if (policy === 'switch-root-mmu') return { ret: '0', root: root(0, v.guestMode ? 1 : 0) };
  if (l2Nested) return none;
  if (v.smm) return { ret: inAs1 ? '0' : '-ENOENT', root: root(1, 0) };
  return { ret: '0', root: root(0, v.guestMode ? 1 : 0) };
}

/** §5.1/§5.2/§6.2: the goal level at gpa for the quiz's single slot (dirty logging, zero page, alignment, congruence, backing). */
function leafLevel(setup: LabVmSetup, gpa: bigint): string {
  const slot = setup.memslots![0]!;
  const base = big(slot.guestPhysAddr);
  const end = base + big(slot.size);
  const hva = slot.userspaceAddr !== undefined ? big(slot.userspaceAddr) : base; // default hva is congruent
  if (slot.flags?.includes('log_dirty_pages')) return '4K';
  // §6.2: untouched memory maps the zero page (4K) or the THP huge zero page (2M): both as big
  // as the backing; 1G hugetlbfs has no zero page and maps its own page read-only.
  const hostMax = setup.config.host?.maxHugePageLevel ?? '1G';
  for (const level of ['1G', '2M'] as const) {
    if (PAGE[level]! > PAGE[hostMax]! || PAGE[level]! > PAGE[slot.backing?.pageSize ?? '4K']!) continue;
    const start = gpa - (gpa % PAGE[level]!);
    const inside = start >= base && start + PAGE[level]! <= end;
    const congruent = (base - hva) % PAGE[level]! === 0n;
    if (inside && congruent) return level;
  }
  return '4K';
}

/** §3.6: the iterations a pre-fault of [gpa, gpa+size) takes and what the first consumes. */
function iterationsOf(setup: LabVmSetup, gpa: bigint, size: bigint): { count: number; firstConsumed: bigint } {
  let count = 0;
  let firstConsumed = 0n;
  for (let at = gpa, left = size; left > 0n; count++) {
    const page = PAGE[leafLevel(setup, at)]!;
    const step = page - (at % page) < left ? page - (at % page) : left;
    if (count === 0) firstConsumed = step;
    at += step;
    left -= step;
  }
  return { count, firstConsumed };
}

/**
 * The answer to one quiz question as these rules give it, compared the way gradeQuiz
 * compares (u64 answers as numbers). Throws on a question it has no rule for, so a new
 * kind of question cannot pass unchecked.
 */
export function expectedAnswer(quiz: Quiz, question: Quiz['questions'][number]): string | number | bigint {
  const { setup, topic } = quiz;
  const call = question.calls[0]!;
  const text = question.text;
  switch (topic) {
    case 'roots': {
      if (question.calls.length === 1) return upstreamRoot(setup, vcpuOf(call));
      // Every vCPU's call from the questions above, on one VM: one root per distinct role.
      return new Set(setup.vcpus!.map((v) => upstreamRoot(setup, v.id)).filter((r) => r !== NO_ROOT)).size;
    }
    case 'errno': {
      const want = errnoOf(setup, call);
      return text.includes('range.size') ? want.sizeLeft : want.ret;
    }
    case 'policies': {
      const want = policyOutcome(setup, call);
      return text.includes('Which root') ? want.root : want.ret;
    }
    case 'huge-pages': {
      const gpa = big(call.body!.gpa);
      const size = big(call.body!.size);
      if (text.includes('leaf level')) return leafLevel(setup, gpa);
      if (text.includes('How many iterations')) return iterationsOf(setup, gpa, size).count;
      if (text.includes('How many bytes')) return iterationsOf(setup, gpa, size).firstConsumed;
      if (text.includes('writable')) return setup.memslots![0]!.backing!.writable ? 'yes' : 'no';
    }
  }
  throw new Error(`no independent rule for ${topic} question: ${text}`);
}

// One generator per quiz topic: a random but reproducible set-up and questions phrased as
// API calls. No answer is written here: each question only says how to READ the engine's
// outcome (`measure`); quiz.ts runs the engine to fill the key.
import type { IoctlResult, PreFaultResult, RootRef, VcpuSpec } from '../sim/index.js';
import type { Rng } from './prng.js';
import type { QuestionDraft, QuizTopic, TopicDraft } from './quiz-types.js';
import type { ApiCall, LabVmSetup, MemslotSetup } from './lab-types.js';

const hx = (n: bigint | number): string => `0x${BigInt(n).toString(16)}`;
const MiB = 0x100000n;
/** gpa >> PAGE_SHIFT = gfn (4 KiB guest pages). */
const PAGE_SHIFT = 12n;

function preFault(vcpu: number, gpa: bigint, size: bigint, extra: Record<string, unknown> = {}): ApiCall {
  return { method: 'POST', path: `/v1/vms/{vm:quiz}/vcpus/${vcpu}/pre-fault`, body: { gpa: hx(gpa), size: hx(size), flags: 0, ...extra } };
}

export const NO_ROOT = 'no TDP root (root: null)';
const ROOT_CHOICES = [
  'level 4, smm 0, guest_mode 0',
  'level 4, smm 1, guest_mode 0',
  'level 4, smm 0, guest_mode 1',
  'level 5, smm 0, guest_mode 0',
  'level 5, smm 1, guest_mode 0',
  'level 5, smm 0, guest_mode 1',
  NO_ROOT,
];
const ERRNO_CHOICES = ['0', '-EINVAL', '-ENOENT', '-EOPNOTSUPP', '-EINTR', '-EFAULT', '-EAGAIN', '-EIO'];
const LEVEL_CHOICES = ['4K', '2M', '1G'];

const roleLabel = (root: RootRef | null): string =>
  root ? `level ${root.level}, smm ${Number(root.smm)}, guest_mode ${Number(root.guestMode)}` : NO_ROOT;
const retLabel = (r: IoctlResult): string => (r.ret === 0 ? '0' : `-${r.errno}`);
const pf = (results: unknown[]): PreFaultResult => results[results.length - 1] as PreFaultResult;
const totalIterations = (r: PreFaultResult): number => r.iterations.reduce((n, it) => n + it.count, 0);

type Mode = 'L1' | 'SMM' | 'L2 under L1 shadow paging' | 'L2 on nested TDP';
const MODE_SPEC: Record<Mode, Omit<VcpuSpec, 'id'>> = {
  L1: {},
  SMM: { smm: true },
  'L2 under L1 shadow paging': { guestMode: true, nestedTdp: false },
  'L2 on nested TDP': { guestMode: true, nestedTdp: true },
};
const modeOf = (v: VcpuSpec): Mode =>
  v.smm ? 'SMM' : !v.guestMode ? 'L1' : v.nestedTdp === false ? 'L2 under L1 shadow paging' : 'L2 on nested TDP';

/** The set-up in words, for the quiz's intro. */
function describe(setup: LabVmSetup): string {
  const c = setup.config;
  const h = c.host ?? {};
  const levels = h.vendor === 'amd' ? `NPT, host paging level ${h.pagingLevel ?? 4}` : `EPT, maxTdpLevel ${h.maxTdpLevel ?? 4}`;
  const lines = [
    `VM type ${c.type ?? 'default'}, prefaultPolicy ${c.prefaultPolicy ?? 'upstream'}, kernel ${c.kernel ?? '6.18'}.`,
    `Host: ${h.vendor ?? 'intel'} (${levels}), TDP ${h.tdp === false ? 'off' : 'on'}, host MAXPHYADDR ${h.maxPhysAddr ?? 46}, largest host leaf ${h.maxHugePageLevel ?? '1G'}.`,
    ...(setup.memslots ?? []).map(
      (m) =>
        `Memslot ${m.addressSpace}/${m.slot}: [${m.guestPhysAddr}, +${m.size}), hva ${m.userspaceAddr ?? 'congruent (default)'}, ` +
        `backing ${m.backing?.pageSize ?? '4K'}${m.backing?.writable === false ? ' never written (zero page)' : ''}` +
        `${m.flags?.length ? `, flags ${m.flags.join(', ')}` : ''}.`,
    ),
    ...(setup.vcpus ?? []).map((v) => `vCPU ${v.id}: MAXPHYADDR ${v.maxPhysAddr ?? 46}, ${modeOf(v)}.`),
    'Every question starts from a fresh copy of this set-up.',
  ];
  return lines.join('\n');
}

function roots(rng: Rng): TopicDraft {
  const vendor = rng.chance(0.7) ? 'intel' : 'amd';
  const five = rng.chance(0.5);
  const tdp = !rng.chance(0.1);
  const host =
    vendor === 'intel'
      ? { vendor, tdp, maxTdpLevel: five ? 5 : 4, maxPhysAddr: five ? 52 : 46 }
      : { vendor, tdp, pagingLevel: five ? 5 : 4, maxPhysAddr: five ? 52 : 46 };
  const widths = five ? [39, 46, 48, 49, 52] : [36, 39, 42, 46];
  const modes: Mode[] = ['L1', 'L1', 'SMM', 'L2 under L1 shadow paging', 'L2 on nested TDP'];
  const vcpus: VcpuSpec[] = Array.from({ length: rng.int(3, 4) }, (_, id) => ({ id, maxPhysAddr: rng.pick(widths), ...MODE_SPEC[rng.pick(modes)] }));
  const calls = vcpus.map((v) => preFault(v.id, BigInt(rng.int(0, 0xffff)) << PAGE_SHIFT, 0x1000n));
  const setup: LabVmSetup = {
    name: 'quiz',
    config: { host: host as LabVmSetup['config']['host'] },
    memslots: [
      { addressSpace: 0, slot: 0, guestPhysAddr: '0x0', size: '0x10000000' },
      { addressSpace: 1, slot: 0, guestPhysAddr: '0x0', size: '0x10000000' },
    ],
    vcpus,
  };
  const questions: QuestionDraft[] = vcpus.map((v, i) => ({
    text: `vCPU ${v.id} (${modeOf(v)}, MAXPHYADDR ${v.maxPhysAddr}) pre-faults one page at ${calls[i]!.body!.gpa as string}. Which root does the call use (the response's root)?`,
    calls: [calls[i]!],
    answer: { type: 'choice', choices: ROOT_CHOICES },
    measure: (results) => {
      const r = pf(results);
      return { value: roleLabel(r.root), explanation: `The call returned ${retLabel(r)} with root ${roleLabel(r.root)}.` };
    },
  }));
  questions.push({
    text: `vCPUs ${vcpus.map((v) => v.id).join(', ')} each make their call from the questions above, in that order, on one VM. How many roots does GET roots list afterwards?`,
    calls,
    answer: { type: 'integer' },
    measure: (_results, vm) => {
      const list = vm.roots();
      return { value: list.length, explanation: `Roots: ${list.map((r) => roleLabel(r)).join('; ') || 'none'}. vCPUs with equal roles share one.` };
    },
  });
  return { title: 'Which TDP root?', intro: '', setup, questions };
}

function hugePages(rng: Rng): TopicDraft {
  const base = rng.pick([0x40000000n, 0x40200000n, 0x40100000n]);
  const backing = rng.pick(['4K', '2M', '2M', '1G'] as const);
  const big = backing === '1G' && base % 0x40000000n === 0n && rng.chance(0.6);
  const size = big ? 0x80000000n : rng.pick([4n * MiB, 6n * MiB]);
  const hvaMode = rng.pick(['congruent', 'congruent', 'off by 4K', 'off by 2M'] as const);
  const hvaBase = 0x7f0000000000n + (base % 0x40000000n);
  const hva = hvaMode === 'off by 4K' ? hvaBase + 0x1000n : hvaMode === 'off by 2M' ? hvaBase + 0x200000n : undefined;
  const writable = rng.chance(0.75);
  const dirty = !big && rng.chance(0.2);
  const slot: MemslotSetup = {
    addressSpace: 0,
    slot: 1,
    guestPhysAddr: hx(base),
    size: hx(size),
    ...(hva !== undefined ? { userspaceAddr: hx(hva) } : {}),
    ...(dirty ? { flags: ['log_dirty_pages' as const] } : {}),
    backing: { pageSize: backing, writable },
  };
  const setup: LabVmSetup = {
    name: 'quiz',
    config: { host: { maxHugePageLevel: rng.pick(['1G', '1G', '2M'] as const) } },
    memslots: [slot],
    vcpus: [{ id: 0 }],
  };
  const questions: QuestionDraft[] = [];
  for (let k = 0; k < 2; k++) {
    const offset = rng.pick([0n, 0x100000n, 0x1ff000n, 0x200000n]);
    const want = rng.pick([0x1000n, 0x200000n, 0x400000n]);
    const reqSize = want < size - offset ? want : size - offset;
    const call = preFault(0, base + offset, reqSize);
    const what = `vCPU 0 pre-faults gpa ${hx(base + offset)}, size ${hx(reqSize)}.`;
    questions.push({
      text: `${what} Which leaf level does the FIRST iteration install?`,
      calls: [call],
      answer: { type: 'choice', choices: LEVEL_CHOICES },
      measure: (results) => {
        const it = pf(results).iterations[0];
        return {
          value: it?.level ?? 'none',
          explanation: `First iteration: ${it ? `${it.result} at ${it.level}, consumed ${it.consumed}` : 'none'}.`,
        };
      },
    });
    questions.push(
      k === 0
        ? {
            text: `${what} How many iterations does the call take in total (the sum of the trace rows' counts)?`,
            calls: [call],
            answer: { type: 'integer' },
            measure: (results) => {
              const r = pf(results);
              return {
                value: totalIterations(r),
                explanation: `Trace: ${r.iterations.map((i) => `${i.count} x ${i.level} consuming ${i.consumed}`).join(', ')}.`,
              };
            },
          }
        : {
            text: `${what} How many bytes does the first iteration consume?`,
            calls: [call],
            answer: { type: 'u64' },
            measure: (results) => {
              const it = pf(results).iterations[0];
              return {
                value: it?.consumed ?? '0x0',
                explanation: 'Each iteration consumes up to the end of the huge page that maps gpa, at most size.',
              };
            },
          },
    );
  }
  if (rng.chance(0.5)) {
    const call = preFault(0, base, 0x1000n);
    questions.push({
      text: `vCPU 0 pre-faults one page at ${hx(base)}. Is the installed leaf writable?`,
      calls: [call],
      answer: { type: 'choice', choices: ['yes', 'no'] },
      measure: (results) => {
        const row = pf(results).mapped[0];
        return {
          value: row?.writable ? 'yes' : 'no',
          explanation: `The leaf is ${row?.writable ? 'writable (host page already writable)' : 'read-only'}, dirty ${String(row?.dirty)}.`,
        };
      },
    });
  }
  return { title: 'Huge pages: which leaf, how many steps?', intro: '', setup, questions };
}

type ErrnoCase =
  | 'ok'
  | 'flags'
  | 'gpa-unaligned'
  | 'size-unaligned'
  | 'size-zero'
  | 'wrap'
  | 'no-slot'
  | 'past-end'
  | 'signal-pending'
  | 'signal-after'
  | 'nested-tdp';

function errno(rng: Rng): TopicDraft {
  const base = 0x40000000n + BigInt(rng.int(0, 1535)) * 0x200000n;
  const size = BigInt(rng.int(1, 16)) * MiB;
  const end = base + size;
  // One L1 vCPU and one in L2 on nested TDP, in either order.
  const [l1, nested] = rng.pick([
    [0, 1],
    [1, 0],
  ] as const);
  const setup: LabVmSetup = {
    name: 'quiz',
    config: {},
    memslots: [{ addressSpace: 0, slot: 0, guestPhysAddr: hx(base), size: hx(size) }],
    vcpus: [
      { id: 0, maxPhysAddr: rng.pick([39, 46]), ...(l1 === 0 ? {} : MODE_SPEC['L2 on nested TDP']) },
      { id: 1, maxPhysAddr: rng.pick([39, 46]), ...(l1 === 1 ? {} : MODE_SPEC['L2 on nested TDP']) },
    ],
  };
  const page = (n: number): bigint => BigInt(n) << PAGE_SHIFT;
  const callFor = (c: ErrnoCase): ApiCall => {
    const inside = base + page(rng.int(0, Math.min(64, Number(size >> PAGE_SHIFT) - 9)));
    switch (c) {
      case 'ok':
        return preFault(l1, inside, page(rng.int(1, 8)));
      case 'flags': {
        // flags is checked first: an unaligned gpa does not change the answer.
        const call = preFault(l1, inside + (rng.chance(0.5) ? 0x800n : 0n), 0x1000n);
        return { ...call, body: { ...call.body, flags: 1 } };
      }
      case 'gpa-unaligned':
        return preFault(l1, inside + BigInt(rng.pick([0x8, 0x800, 0xfff])), 0x1000n);
      case 'size-unaligned':
        return preFault(l1, inside, 0x1000n + BigInt(rng.pick([0x1, 0x800])));
      case 'size-zero':
        return preFault(l1, inside, 0n);
      case 'wrap':
        return preFault(l1, 0xfffffffffffff000n, page(rng.int(2, 4)));
      case 'no-slot':
        return preFault(l1, end + page(rng.int(0, 16)), page(rng.int(1, 4)));
      case 'past-end':
        return preFault(l1, end - page(rng.int(1, 4)), page(rng.int(5, 8)));
      case 'signal-pending':
        return preFault(l1, inside, page(4), { inject: { signalPending: true } });
      case 'signal-after':
        return preFault(l1, inside, page(8), { inject: { signalAfterIterations: rng.int(1, 3) } });
      case 'nested-tdp':
        return preFault(nested, inside, 0x1000n);
    }
  };
  const all: ErrnoCase[] = ['ok', 'flags', 'gpa-unaligned', 'size-unaligned', 'size-zero', 'wrap', 'no-slot', 'signal-pending', 'nested-tdp'];
  const partial = rng.pick(['past-end', 'signal-after'] as const);
  const cases = rng.shuffle([partial, ...rng.shuffle(all).slice(0, rng.int(2, 3))]);
  const questions: QuestionDraft[] = [];
  for (const c of cases) {
    const call = callFor(c);
    const b = call.body!;
    const inject = b.inject ? ` with inject ${JSON.stringify(b.inject)}` : '';
    const what = `vCPU ${call.path.split('/')[5]} calls pre-fault with gpa ${String(b.gpa)}, size ${String(b.size)}, flags ${String(b.flags)}${inject}.`;
    questions.push({
      text: `${what} What does the call return (ret)?`,
      calls: [call],
      answer: { type: 'choice', choices: ERRNO_CHOICES },
      measure: (results) => {
        const r = pf(results);
        return {
          value: retLabel(r),
          explanation: `ret ${r.ret} (${r.errno ?? 'success'}); the struct comes back with gpa ${r.range.gpa}, size ${r.range.size}.`,
        };
      },
    });
    if (c === partial || (questions.length < 5 && rng.chance(0.3)))
      questions.push({
        text: `${what} What is range.size in the struct copied back?`,
        calls: [call],
        answer: { type: 'u64' },
        measure: (results) => {
          const r = pf(results);
          return {
            value: r.range.size,
            explanation: `size_out = size_in - bytes consumed; here ret ${retLabel(r)} after ${totalIterations(r)} iteration(s).`,
          };
        },
      });
  }
  return { title: 'What does KVM_PRE_FAULT_MEMORY return?', intro: '', setup, questions: questions.slice(0, 6) };
}

function policies(rng: Rng): TopicDraft {
  const policy = rng.pick(['upstream', 'switch-root-mmu', 'reject-smm-guest-mode'] as const);
  const ram = rng.pick([0x8000000n, 0x10000000n, 0x40000000n]);
  // Legacy SMRAM below 1M, or a TSEG-like range at the top of RAM.
  const smram = rng.pick([
    { base: 0xa0000n, size: 0x20000n },
    { base: ram - 0x100000n, size: 0x100000n },
  ]);
  const modes = rng.shuffle(['L1', 'SMM', 'L2 under L1 shadow paging', 'L2 on nested TDP'] as Mode[]);
  const setup: LabVmSetup = {
    name: 'quiz',
    config: { prefaultPolicy: policy },
    memslots: [
      { addressSpace: 0, slot: 0, guestPhysAddr: '0x0', size: hx(ram) },
      { addressSpace: 1, slot: 0, guestPhysAddr: hx(smram.base), size: hx(smram.size), userspaceAddr: '0x7f4000000000' },
    ],
    vcpus: modes.map((m, id) => ({ id, maxPhysAddr: rng.pick([39, 42, 46]), ...MODE_SPEC[m] })),
  };
  const questions: QuestionDraft[] = [];
  for (const id of rng.shuffle([0, 1, 2, 3]).slice(0, rng.int(2, 3))) {
    const inSmram = rng.chance(0.5);
    // RAM that address space 1 does not have: above 1M for legacy SMRAM, below TSEG otherwise.
    const [lo, hi] = inSmram ? [smram.base, smram.base + smram.size] : smram.base < 0x100000n ? [0x100000n, ram] : [0n, smram.base];
    const gpa = lo + (BigInt(rng.int(0, Number((hi - lo) >> PAGE_SHIFT) - 1)) << PAGE_SHIFT);
    const call = preFault(id, gpa, 0x1000n);
    const what = `Under prefaultPolicy ${policy}, vCPU ${id} (${modes[id]}) pre-faults one page at ${hx(gpa)} (${inSmram ? 'SMRAM: in both address spaces' : 'only in address space 0'}).`;
    questions.push({
      text: `${what} What does the call return?`,
      calls: [call],
      answer: { type: 'choice', choices: ERRNO_CHOICES },
      measure: (results) => ({ value: retLabel(pf(results)), explanation: `ret ${pf(results).ret}, root ${roleLabel(pf(results).root)}.` }),
    });
    questions.push({
      text: `${what} Which root does it use (the response's root)?`,
      calls: [call],
      answer: { type: 'choice', choices: ROOT_CHOICES },
      measure: (results) => ({ value: roleLabel(pf(results).root), explanation: `See docs/spec.md §9 for the ${policy} table.` }),
    });
  }
  return { title: `Design ${policy}: what happens?`, intro: '', setup, questions };
}

const GENERATORS: Record<QuizTopic, (rng: Rng) => TopicDraft> = { roots, 'huge-pages': hugePages, errno, policies };

/** The draft of a topic's quiz, intro filled from its set-up. */
export function draftQuiz(topic: QuizTopic, rng: Rng): TopicDraft {
  const draft = GENERATORS[topic](rng);
  return { ...draft, intro: describe(draft.setup) };
}

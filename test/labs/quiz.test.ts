// Quizzes: reproducible from their seed, 3-6 questions, and answer keys that agree with
// answers derived from the kernel rules without the engine (quiz-oracles.ts).
import { describe, expect, it } from 'vitest';
import { generateQuiz, gradeQuiz, publicQuiz, QUIZ_TOPICS, type Quiz } from '../../src/labs/quiz.js';
import { expectedAnswer } from './quiz-oracles.js';

const SEEDS = Array.from({ length: 120 }, (_, i) => i * 7919 + 1);
const key = (quiz: Quiz, id: string) => quiz.answers.find((a) => a.id === id)!.value;

describe('quiz generation', () => {
  it.each(QUIZ_TOPICS)('%s: the same seed gives byte-identical quizzes', (topic) => {
    for (const seed of [0, 1, 42, 0xffffffff]) {
      const a = generateQuiz(topic, seed);
      expect(JSON.stringify(generateQuiz(topic, seed))).toBe(JSON.stringify(a));
      expect(generateQuiz(topic, seed)).toEqual(a);
    }
  });

  it.each(QUIZ_TOPICS)('%s: different seeds give different set-ups', (topic) => {
    expect(generateQuiz(topic, 1).setup).not.toEqual(generateQuiz(topic, 2).setup);
    const distinct = new Set(SEEDS.map((s) => JSON.stringify(generateQuiz(topic, s).setup)));
    expect(distinct.size).toBeGreaterThan(SEEDS.length / 4);
  });

  it.each(QUIZ_TOPICS)('%s: 3 to 6 questions, each answered in its own format', (topic) => {
    for (const seed of SEEDS) {
      const quiz = generateQuiz(topic, seed);
      expect(quiz.questions.length).toBeGreaterThanOrEqual(3);
      expect(quiz.questions.length).toBeLessThanOrEqual(6);
      expect(quiz.answers.map((a) => a.id)).toEqual(quiz.questions.map((q) => q.id));
      for (const q of quiz.questions) {
        const value = key(quiz, q.id);
        if (q.answer.type === 'choice') expect(q.answer.choices).toContain(value);
        if (q.answer.type === 'integer') expect(Number.isInteger(value)).toBe(true);
        if (q.answer.type === 'u64') expect(value).toMatch(/^0x[0-9a-f]+$/);
      }
    }
  });

  it('refuses an unknown topic or a seed outside u32', () => {
    expect(() => generateQuiz('paging' as never, 1)).toThrow(/topic/);
    expect(() => generateQuiz('roots', -1)).toThrow(/seed/);
    expect(() => generateQuiz('roots', 2 ** 32)).toThrow(/seed/);
    expect(() => generateQuiz('roots', 1.5)).toThrow(/seed/);
  });
});

describe('answer keys', () => {
  // The product fills each key by running the engine; these keys come from the rules alone
  // (quiz-oracles.ts, no engine), so an engine rule that breaks makes them disagree.
  // Huge pages get more seeds: rarer set-ups (1G backing never written: a 2M zero page) need them.
  const seedsOf = (topic: string): number[] =>
    topic === 'huge-pages' ? [...SEEDS, 39, 285, ...Array.from({ length: 400 }, (_, i) => i * 104729 + 5)] : SEEDS;

  it.each(QUIZ_TOPICS)('%s: every answer key agrees with the rules derived without the engine', (topic) => {
    for (const seed of seedsOf(topic)) {
      const quiz = generateQuiz(topic, seed);
      for (const q of quiz.questions) {
        const want = expectedAnswer(quiz, q);
        const value = key(quiz, q.id);
        if (typeof want === 'bigint') expect(BigInt(value), `seed ${seed} ${q.text}`).toBe(want);
        else expect(value, `seed ${seed} ${q.text}`).toBe(want);
      }
    }
  });

  it('asks every kind of question the oracles know (a topic that stopped asking one would go unchecked)', () => {
    const kinds = new Set<string>();
    for (const topic of QUIZ_TOPICS)
      for (const seed of SEEDS.slice(0, 40))
        for (const q of generateQuiz(topic, seed).questions)
          kinds.add(
            `${topic}: ${/Which root|How many roots|range\.size|return|leaf level|How many iterations|How many bytes|writable/.exec(q.text)?.[0]}`,
          );
    expect([...kinds].sort()).toEqual(
      [
        'errno: range.size',
        'errno: return',
        'huge-pages: How many bytes',
        'huge-pages: How many iterations',
        'huge-pages: leaf level',
        'huge-pages: writable',
        'policies: Which root',
        'policies: return',
        'roots: How many roots',
        'roots: Which root',
      ].sort(),
    );
  });
});

describe('gradeQuiz', () => {
  const quiz = generateQuiz('errno', 3);
  const right = Object.fromEntries(quiz.answers.map((a) => [a.id, a.value]));

  it('full marks for the key, in any u64 spelling', () => {
    expect(gradeQuiz(quiz, right).score).toBe(quiz.questions.length);
    const decimal = Object.fromEntries(
      quiz.questions.map((q) => [q.id, q.answer.type === 'u64' ? BigInt(key(quiz, q.id)).toString(10) : key(quiz, q.id)]),
    );
    expect(gradeQuiz(quiz, decimal).score).toBe(quiz.questions.length);
  });

  it('accepts -22, "-22", "EINVAL" and "-EINVAL" alike for an ioctl outcome, and 0 / "success" for success', () => {
    const errnoQuestions = quiz.questions.filter((q) => q.answer.type === 'choice' && q.answer.choices.includes('-EINVAL'));
    expect(errnoQuestions.length).toBeGreaterThan(0);
    const spellings: Record<string, unknown[]> = {
      '0': [0, '0', 'success'],
      '-EINVAL': [-22, '-22', 'EINVAL', 'einval', ' -EINVAL '],
      '-ENOENT': [-2, '-2', 'ENOENT'],
      '-EOPNOTSUPP': [-95, 'EOPNOTSUPP'],
      '-EFAULT': [-14, 'EFAULT'],
    };
    for (const q of errnoQuestions) {
      const expected = key(quiz, q.id);
      for (const given of spellings[expected] ?? [])
        expect(gradeQuiz(quiz, { [q.id]: given }).results.find((r) => r.id === q.id)!.correct, `${q.id} ${expected} as ${String(given)}`).toBe(true);
      // A different outcome stays wrong in every spelling (22 is not -22: ret is negative).
      for (const given of ['-EIO', -5, 'EIO', 22, 'EBOGUS'])
        expect(gradeQuiz(quiz, { [q.id]: given }).results.find((r) => r.id === q.id)!.correct, `${q.id} as ${String(given)}`).toBe(false);
    }
  });

  it('wrong and missing answers score nothing, with the expected value and an explanation', () => {
    const wrong = Object.fromEntries(quiz.questions.map((q) => [q.id, q.answer.type === 'choice' ? '-EIO' : '0x123456789']));
    const grade = gradeQuiz(quiz, wrong);
    expect(grade.score).toBe(0);
    for (const r of grade.results) {
      expect(r.correct).toBe(false);
      expect(r.explanation.length).toBeGreaterThan(10);
    }
    expect(gradeQuiz(quiz, {}).results.every((r) => !r.correct && r.given === null)).toBe(true);
  });

  it('the public quiz hides the key', () => {
    expect(publicQuiz(quiz)).not.toHaveProperty('answers');
    expect(JSON.stringify(publicQuiz(quiz))).not.toContain('explanation');
  });
});

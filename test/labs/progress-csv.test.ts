// The progress CSV's rows from the progress view: prediction counts, the last pass, and text
// a spreadsheet would run as a formula.
import { describe, expect, it } from 'vitest';
import { progressCsv, type StudentProgress } from '../../src/labs/progress-csv.js';

const student = (name: string, tasks: StudentProgress['sessions'][number]['tasks']): StudentProgress => ({
  student: name,
  sessions: [{ labId: 'l', sessionId: 's', mode: 'predict', createdAt: '2026-01-01T00:00:00.000Z', tasksPassed: 2, taskCount: 4, tasks }],
  quizzes: [],
});

describe('progressCsv', () => {
  it('counts predictions made and right (every field correct), and gives the last pass', () => {
    const csv = progressCsv([
      student('ann', [
        { n: 1, passed: true, passedAt: '2026-01-01T00:05:00.000Z', predictedAt: 'x', predictions: { ret: { given: 0, actual: 0, correct: true } } },
        {
          n: 2,
          passed: true,
          passedAt: '2026-01-01T00:09:00.000Z',
          predictedAt: 'x',
          predictions: { ret: { given: 0, actual: 0, correct: true }, level: { given: 1, actual: 2, correct: false } },
        },
        { n: 3, passed: false, predictedAt: 'x', predictions: { ret: { given: 0 } } },
        { n: 4, passed: false },
      ]),
    ]);
    expect(csv.split('\r\n')[1]).toBe('ann,lab,l,s,predict,2026-01-01T00:00:00.000Z,2,4,3,1,,,,2026-01-01T00:09:00.000Z,,,,,');
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('quotes commas, quotes and line breaks, and defuses formulas', () => {
    const names = ['a,b', 'say "hi"', 'two\nlines', '-1+1', '@SUM(A1)', '+x'];
    const lines = progressCsv(names.map((n) => student(n, []))).split('\r\n');
    expect(lines.slice(1, -1).map((l) => l.slice(0, l.indexOf(',lab,')))).toEqual([
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
      "'-1+1",
      "'@SUM(A1)",
      "'+x",
    ]);
  });
});

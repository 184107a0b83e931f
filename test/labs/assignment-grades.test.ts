// What an assignment counts: work by the deadline, the first N attempts, the best of them;
// and when a student sees a quiz's key.
import { describe, expect, it } from 'vitest';
import { keyRevealed, labGradeRow, quizGradeRow, type AssignmentRules } from '../../src/labs/assignment-grades.js';

const rules = (r: Partial<AssignmentRules>): AssignmentRules => ({ kind: 'quiz', deadline: null, reveal: 'never', attemptsCounted: null, ...r });
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
const attempt = (score: number, minute: number) => ({ score, total: 4, createdAt: at(minute) });

describe('quizGradeRow', () => {
  it('grades the best of the first N attempts made by the deadline, and counts the late ones', () => {
    const tries = [attempt(1, 0), attempt(3, 1), attempt(4, 2), attempt(4, 20)];
    expect(quizGradeRow(rules({}), 's', 'q', 4, tries)).toMatchObject({ score: 4, attempts: 4, counted: 4, late: 0 });
    expect(quizGradeRow(rules({ attemptsCounted: 2 }), 's', 'q', 4, tries)).toMatchObject({ score: 3, counted: 2 });
    expect(quizGradeRow(rules({ deadline: at(10) }), 's', 'q', 4, tries)).toMatchObject({ score: 4, counted: 3, late: 1 });
    expect(quizGradeRow(rules({ deadline: at(0) }), 's', 'q', 4, [attempt(2, 5)])).toMatchObject({ score: 0, counted: 0, late: 1 });
    expect(quizGradeRow(rules({}), 's', 'q', 4, [])).toEqual({ student: 's', started: false, score: 0, outOf: 4 });
  });
});

describe('labGradeRow', () => {
  it('counts tasks first passed by the deadline; later passes are late', () => {
    const session = {
      labId: 'l',
      sessionId: 'x',
      mode: 'guided',
      createdAt: at(0).toISOString(),
      tasksPassed: 3,
      taskCount: 4,
      tasks: [
        { n: 1, passed: true, passedAt: at(1).toISOString() },
        { n: 2, passed: true, passedAt: at(30).toISOString() },
        { n: 3, passed: true, passedAt: at(5).toISOString() },
        { n: 4, passed: false },
      ],
    };
    expect(labGradeRow(rules({ kind: 'lab', deadline: at(10) }), 's', 4, session)).toMatchObject({ score: 2, late: 1, lastAt: at(30).toISOString() });
    expect(labGradeRow(rules({ kind: 'lab' }), 's', 4, session)).toMatchObject({ score: 3, late: 0 });
  });
});

describe('keyRevealed', () => {
  it('follows the assignment: after the first submission, after the deadline, or never; teachers always', () => {
    const now = at(15);
    expect(keyRevealed(rules({ reveal: 'after-first-submission' }), { teacher: false, submitted: false }, now)).toBe(false);
    expect(keyRevealed(rules({ reveal: 'after-first-submission' }), { teacher: false, submitted: true }, now)).toBe(true);
    expect(keyRevealed(rules({ reveal: 'after-deadline', deadline: at(20) }), { teacher: false, submitted: true }, now)).toBe(false);
    expect(keyRevealed(rules({ reveal: 'after-deadline', deadline: at(10) }), { teacher: false, submitted: false }, now)).toBe(true);
    expect(keyRevealed(rules({ reveal: 'never', deadline: at(10) }), { teacher: false, submitted: true }, now)).toBe(false);
    expect(keyRevealed(rules({ reveal: 'never' }), { teacher: true, submitted: false }, now)).toBe(true);
  });
});

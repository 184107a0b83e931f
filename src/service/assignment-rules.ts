// A stored assignment's grading rules, as src/labs/assignment-grades.ts applies them.
import type { StoredAssignment } from '../db/assignment-repository.js';
import { REVEALS, type AssignmentRules, type Reveal } from '../labs/assignment-grades.js';

/** The stored assignment's grading rules (a row with an unknown reveal never shows the key). */
export const assignmentRules = (a: StoredAssignment): AssignmentRules => ({
  kind: a.kind === 'lab' ? 'lab' : 'quiz',
  deadline: a.deadline,
  reveal: (REVEALS as readonly string[]).includes(a.reveal ?? '') ? (a.reveal as Reveal) : 'never',
  attemptsCounted: a.attemptsCounted,
});

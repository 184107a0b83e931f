// Assignments: a teacher hands a lab (in one mode) or a quiz (generated for it) out to every
// student; each starts it under their own token, and their work is stored as any lab session
// or quiz attempt is. What counts and when the key shows: src/labs/assignment-grades.ts.
import { randomUUID } from 'node:crypto';
import type { AssignmentRepository, StoredAssignment } from '../db/assignment-repository.js';
import { attemptCounts, keyRevealed, type Reveal } from '../labs/assignment-grades.js';
import { withoutKey } from '../labs/quiz.js';
import type { QuizTopic } from '../labs/quiz-types.js';
import type { LabMode } from '../labs/task-view.js';
import { assignmentRules } from './assignment-rules.js';
import { invalidInput, notFound, ServiceError } from './errors.js';
import { isoInstant } from './iso-instant.js';
import type { LabService } from './lab-service.js';
import type { Caller, LabSessions } from './lab-sessions.js';
import { identifyStudent, type StudentClaim } from './lab-student.js';
import { ANY_OWNER, storedOwner } from './owner.js';

export interface AssignmentInput {
  kind: 'lab' | 'quiz';
  title?: string;
  labId?: string;
  mode?: LabMode;
  topic?: QuizTopic;
  seed?: number;
  deadline?: string;
  reveal?: Reveal;
  attemptsCounted?: number;
}

/** Fields that belong to the other kind: named, so a typo'd assignment is refused rather than half-read. */
const ONLY_FOR: Record<'lab' | 'quiz', readonly (keyof AssignmentInput)[]> = {
  lab: ['labId', 'mode'],
  quiz: ['topic', 'seed', 'reveal', 'attemptsCounted'],
};

function checkInput(input: AssignmentInput): void {
  const other = input.kind === 'lab' ? 'quiz' : 'lab';
  const misplaced = ONLY_FOR[other].find((f) => input[f] !== undefined);
  if (misplaced) throw invalidInput(`${misplaced} is for a ${other} assignment, and this one is a ${input.kind}`, misplaced);
  if (input.kind === 'lab' && input.labId === undefined) throw invalidInput('a lab assignment needs labId', 'labId');
  if (input.kind === 'quiz' && input.topic === undefined) throw invalidInput('a quiz assignment needs topic', 'topic');
  if (input.reveal === 'after-deadline' && input.deadline === undefined) throw invalidInput('reveal after-deadline needs a deadline', 'deadline');
  if (input.reveal === 'after-first-submission' && (input.attemptsCounted ?? 1) !== 1)
    throw invalidInput('with reveal after-first-submission only the first attempt can count: the key comes back with it', 'attemptsCounted');
}

export class Assignments {
  constructor(
    private readonly repo: AssignmentRepository,
    private readonly labs: LabService,
    private readonly sessions: LabSessions,
  ) {}

  async create(input: AssignmentInput, caller: Caller) {
    checkInput(input);
    const owner = storedOwner(caller.owner);
    const deadline = input.deadline === undefined ? null : isoInstant(input.deadline, 'deadline');
    const common = { id: randomUUID(), deadline, createdAt: new Date(), owner };
    let stored: StoredAssignment;
    if (input.kind === 'lab') {
      const lab = this.labs.labOrUndefined(input.labId!);
      if (!lab) throw invalidInput(`no lab with id ${input.labId}`, 'labId');
      const mode = input.mode ?? 'guided';
      stored = { ...common, kind: 'lab', title: input.title ?? lab.title, labId: lab.id, mode, quizId: null, reveal: null, attemptsCounted: null };
    } else {
      const reveal = input.reveal ?? 'never';
      const attemptsCounted = input.attemptsCounted ?? (reveal === 'after-first-submission' ? 1 : null);
      const quiz = await this.labs.createQuiz(input.topic, input.seed, caller.owner);
      stored = { ...common, kind: 'quiz', title: input.title ?? quiz.title, labId: null, mode: null, quizId: quiz.id, reveal, attemptsCounted };
    }
    await this.repo.insert(stored);
    return this.view(stored);
  }

  async list() {
    return { assignments: await Promise.all((await this.repo.all()).map((a) => this.view(a))) };
  }

  /** Every assignment as stored, oldest first (the teacher's progress). */
  all(): Promise<StoredAssignment[]> {
    return this.repo.all();
  }

  /** The assignment, with a quiz's key when the caller may read it now. */
  async get(id: string, caller: Caller) {
    const a = await this.assignment(id);
    const quiz = await this.quizOf(a);
    const view = await this.view(a, quiz);
    if (!quiz) return view;
    const teacher = this.teacher(caller);
    const submitted = !teacher && (await this.submitted(a, caller));
    if (!keyRevealed(assignmentRules(a), { teacher, submitted }, new Date())) return view;
    return { ...view, answers: quiz.quiz.answers };
  }

  /** A lab: the caller's session of it in the assignment's mode (201 when new); a quiz: the quiz. */
  async start(id: string, claim: StudentClaim, caller: Caller) {
    const a = await this.assignment(id);
    const quiz = await this.quizOf(a);
    const assignment = await this.view(a, quiz);
    if (!quiz) {
      const { created, view } = await this.sessions.start(a.labId!, { ...claim, mode: a.mode as LabMode }, caller);
      return { created, body: { assignment, session: view } };
    }
    identifyStudent(storedOwner(caller.owner), claim); // an open server still needs to know who
    return { created: false, body: { assignment, quiz: quiz.view } };
  }

  /** Grades and stores an attempt at a quiz assignment: whether it counts, and the key if the assignment shows it now. */
  async submit(id: string, body: { answers: Record<string, unknown> } & StudentClaim, caller: Caller) {
    const a = await this.assignment(id);
    if (a.kind !== 'quiz')
      throw new ServiceError(409, 'conflict', `assignment ${id} is a lab: start it (POST /v1/assignments/${id}/start) and work in its session`);
    const rules = assignmentRules(a);
    const { grade, at, before } = await this.sessions.recordAttempt(await this.labs.quiz(a.quizId!, ANY_OWNER), body, caller);
    const revealed = keyRevealed(rules, { teacher: this.teacher(caller), submitted: true }, at);
    return {
      assignmentId: id,
      attempt: before + 1,
      counted: attemptCounts(rules, before + 1, at),
      keyRevealed: revealed,
      grade: { quizId: a.quizId!, ...(revealed ? grade : withoutKey(grade)) },
    };
  }

  private teacher(caller: Caller): boolean {
    return caller.owner === ANY_OWNER || caller.role === 'teacher';
  }

  /** Whether a student token has submitted (an open server has no roles: everyone reads keys there). */
  private async submitted(a: StoredAssignment, caller: Caller): Promise<boolean> {
    return (await this.sessions.attemptCount(a.quizId!, identifyStudent(storedOwner(caller.owner), {}).key)) > 0;
  }

  private async assignment(id: string): Promise<StoredAssignment> {
    const a = await this.repo.assignment(id);
    if (!a) throw notFound(`no assignment with id ${id}`);
    return a;
  }

  /** A quiz assignment's quiz (its stored row and the quiz it generates), read once per request. */
  private async quizOf(a: StoredAssignment) {
    return a.kind === 'quiz' ? this.labs.quiz(a.quizId!, ANY_OWNER) : undefined;
  }

  private async view(a: StoredAssignment, quiz?: Awaited<ReturnType<Assignments['quizOf']>>) {
    const head = {
      id: a.id,
      title: a.title,
      kind: assignmentRules(a).kind,
      createdAt: a.createdAt.toISOString(),
      deadline: a.deadline?.toISOString() ?? null,
    };
    if (a.kind === 'lab') return { ...head, labId: a.labId!, mode: a.mode as LabMode };
    const { view } = quiz ?? (await this.labs.quiz(a.quizId!, ANY_OWNER));
    return { ...head, quizId: view.id, topic: view.topic, seed: view.seed, reveal: assignmentRules(a).reveal, attemptsCounted: a.attemptsCounted };
  }
}

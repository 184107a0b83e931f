// Lab sessions per student, with stored progress: Start is idempotent per student and lab
// (asking for the other mode is a 409), Reset gives fresh VMs (in either mode), a task's
// first prediction is stored for good and graded against the VMs' logs, a passed task stays
// passed, every quiz attempt is kept, and teachers see everyone's progress.
import { randomUUID } from 'node:crypto';
import type { StoredAssignment } from '../db/assignment-repository.js';
import type { LabRepository, StoredLabSession, StoredSubmission, StoredTaskProgress } from '../db/lab-repository.js';
import { labGradeRow, quizGradeRow, type AssignmentProgress } from '../labs/assignment-grades.js';
import { parsePrediction, samePrediction, type StoredPrediction } from '../labs/predict.js';
import type { StudentProgress } from '../labs/progress-csv.js';
import { gradeQuiz, withoutKey, type Quiz } from '../labs/quiz.js';
import { quizAttemptsSummary } from '../labs/quiz-attempts.js';
import {
  checkedSession,
  gradedPredictions,
  sessionView,
  type LabSessionView,
  type ProgressByTask,
  type SessionRecord,
} from '../labs/session-progress.js';
import { LAB_MODES, type LabMode } from '../labs/task-view.js';
import { MAX_TRACE_EVENTS, MAX_TRACED_EVENTS, type OperationTrace } from '../labs/trace.js';
import type { Lab } from '../labs/lab-types.js';
import { SimError } from '../sim/index.js';
import { invalidInput, notFound, ServiceError } from './errors.js';
import { isoInstant } from './iso-instant.js';
import { LabLogTooLong, type LabService, type QuizView } from './lab-service.js';
import { identifyStudent, type StudentClaim } from './lab-student.js';
import { ANY_OWNER, storedOwner, type Owner } from './owner.js';
import { assignmentRules } from './assignment-rules.js';
import type { LiveVms } from './live-vms.js';

/** Who calls: the token's hash (tokens on) and its role; open server: ANY_OWNER, no role. */
export interface Caller {
  owner: Owner | undefined;
  role?: 'teacher' | 'student' | undefined;
}

/** Rows stored before students had to say who they are. */
const ANONYMOUS = 'anonymous';

const conflict = (message: string): ServiceError => new ServiceError(409, 'conflict', message);

const ungradable = (error: unknown): undefined => {
  if (error instanceof LabLogTooLong) return undefined;
  throw error;
};

const record = (s: StoredLabSession): SessionRecord => ({
  id: s.id,
  labId: s.labId,
  mode: (LAB_MODES as readonly string[]).includes(s.mode) ? (s.mode as LabMode) : 'guided',
  student: s.student,
  createdAt: s.createdAt,
  vms: s.vms,
});

const progressMap = (rows: StoredTaskProgress[]): ProgressByTask =>
  new Map(
    rows.map((r) => [
      r.n,
      { passedAt: r.passedAt, prediction: r.prediction ? (JSON.parse(r.prediction) as StoredPrediction) : null, predictedAt: r.predictedAt },
    ]),
  );

export class LabSessions {
  constructor(
    private readonly labs: LabService,
    private readonly repo: LabRepository,
    private readonly vms: LiveVms,
    /** Token hash -> the name the token file gives it: teachers see it rather than the label given at Start. */
    private readonly tokenNames: ReadonlyMap<string, string>,
    /** The student tokens' hashes: every one gets a row per assignment, started or not (empty on an open server). */
    private readonly roster: readonly string[] = [],
  ) {}

  /** 201 and a new session, or 200 and the student's existing one (nothing created); 409 for its other mode. */
  async start(labId: string, body: { mode?: LabMode } & StudentClaim, caller: Caller): Promise<{ created: boolean; view: LabSessionView }> {
    const lab = this.labs.lab(labId);
    const owner = storedOwner(caller.owner); // no caller at all: refused before any session is looked up
    const student = identifyStudent(owner, body);
    const key = student.key;
    const existing = await this.repo.sessionOf(labId, key);
    if (existing) return { created: false, view: await this.existing(lab, existing, body.mode, caller) };
    const vms = await this.labs.createLabVms(lab, caller.owner);
    const session: StoredLabSession = {
      id: randomUUID(),
      labId,
      vms,
      createdAt: new Date(),
      owner,
      mode: body.mode ?? 'guided',
      student: student.label,
      studentKey: key,
    };
    try {
      await this.repo.insertSession(session);
    } catch (error) {
      // Two Starts at once: the other one won (unique lab + student); keep its session.
      await this.labs.removeVms(vms);
      const winner = await this.repo.sessionOf(labId, key);
      if (!winner) throw error;
      return { created: false, view: await this.existing(lab, winner, body.mode, caller) };
    }
    return { created: true, view: await this.view(lab, session, caller) };
  }

  async get(labId: string, sessionId: string, caller: Caller): Promise<LabSessionView> {
    return this.view(this.labs.lab(labId), await this.labs.session(labId, sessionId, caller), caller);
  }

  /** Fresh VMs for the same roles, progress and predictions cleared, in `mode` if given; the session id stays. */
  async reset(labId: string, sessionId: string, body: { mode?: LabMode }, caller: Caller): Promise<LabSessionView> {
    const lab = this.labs.lab(labId);
    const session = await this.labs.session(labId, sessionId, caller);
    const mode = body.mode ?? record(session).mode;
    const fresh = await this.labs.createLabVms(lab, caller.owner);
    await this.repo.resetSession(session.id, fresh, mode);
    await this.labs.removeVms(session.vms);
    return this.view(lab, { ...session, vms: fresh, mode }, caller);
  }

  /**
   * Stores the task's first prediction with each VM's log length now (only calls after it
   * grade it). It is the graded one: sending it again answers the same, changing it is a 409.
   */
  async predict(labId: string, sessionId: string, n: number, body: Record<string, unknown>, caller: Caller) {
    const lab = this.labs.lab(labId);
    const session = await this.labs.session(labId, sessionId, caller);
    const task = lab.tasks[n - 1];
    if (!task) throw notFound(`lab ${labId} has no task ${n}`);
    const values = parsePrediction(task, body);
    const logs = await this.labs.sessionLogs(session);
    const stored: StoredPrediction = { values, logLengths: Object.fromEntries(session.vms.map(({ name }) => [name, logs[name]?.length ?? 0])) };
    const at = new Date();
    if (await this.repo.storeFirstPrediction(session.id, n, stored, at))
      return { stored: true as const, n, prediction: values, predictedAt: at.toISOString() };
    const first = progressMap(await this.repo.progress(session.id)).get(n)!;
    if (!first.prediction || !samePrediction(first.prediction.values, values))
      throw conflict(
        `task ${n} already has its prediction, and the first prediction is the graded one: it cannot change. ` +
          `To predict again, reset the session (POST /v1/labs/${labId}/sessions/${session.id}/reset): fresh VMs, progress cleared.`,
      );
    return {
      stored: true as const,
      n,
      prediction: first.prediction.values,
      ...(first.predictedAt && { predictedAt: first.predictedAt.toISOString() }),
    };
  }

  /** The lab's grade now, passed tasks kept passed (and stored the first time), predictions graded. */
  async check(labId: string, sessionId: string, caller: Caller) {
    const lab = this.labs.lab(labId);
    const session = await this.labs.session(labId, sessionId, caller);
    const { grade, logs } = await this.labs.gradeSession(lab, session, caller.owner);
    const checked = checkedSession(lab, record(session).mode, grade, progressMap(await this.repo.progress(session.id)), logs);
    if (checked.newlyPassed.length > 0) await this.repo.markPassed(session.id, checked.newlyPassed, new Date());
    return { sessionId, labId, passed: checked.passed, tasks: checked.tasks };
  }

  /**
   * Grades and stores a quiz attempt (under the token, or the student or client given).
   * Every attempt is kept with its time. The answer says per question whether it was
   * right; the key (expected value, explanation) only to a teacher token.
   */
  async submitQuiz(quizId: string, body: { answers: Record<string, unknown> } & StudentClaim, caller: Caller) {
    const { grade } = await this.recordAttempt(await this.labs.quiz(quizId, caller.owner), body, caller);
    return { quizId, ...(caller.role === 'teacher' ? grade : withoutKey(grade)) };
  }

  /** How many attempts the student (by key) made at the quiz. */
  attemptCount(quizId: string, studentKey: string): Promise<number> {
    return this.repo.attemptCount(quizId, studentKey);
  }

  /** Grades and stores one attempt at `quiz`; the full grade (key included), its time and how many attempts the student made before it. */
  async recordAttempt({ view, quiz }: { view: QuizView; quiz: Quiz }, body: { answers: Record<string, unknown> } & StudentClaim, caller: Caller) {
    const student = identifyStudent(storedOwner(caller.owner), body);
    const before = await this.repo.attemptCount(view.id, student.key);
    const grade = gradeQuiz(quiz, body.answers);
    const at = new Date();
    await this.repo.insertSubmission({
      quizId: view.id,
      student: student.label,
      studentKey: student.key,
      score: grade.score,
      total: grade.total,
      answers: body.answers,
      createdAt: at,
    });
    return { grade, at, before };
  }

  /**
   * The teacher's view, per student: lab sessions with, per task, whether and when it
   * passed and its prediction (what, when, and right or wrong once the call has run); and
   * per quiz the first, best and last attempt and how many; and per assignment every
   * student's grade (every student token, else every student who did anything).
   */
  async progress(assigned: readonly StoredAssignment[] = []): Promise<{ students: StudentProgress[]; assignments: AssignmentProgress[] }> {
    const sessions = await this.repo.sessions();
    const progress = await this.repo.allProgress();
    const students = new Map<string, StudentProgress>();
    const entry = (key: string, label: string) => {
      let e = students.get(key);
      if (!e) students.set(key, (e = { student: this.tokenNames.get(key) ?? label, sessions: [], quizzes: [] }));
      return e;
    };
    for (const s of sessions) {
      const lab = this.labs.labOrUndefined(s.labId);
      if (!lab) continue;
      const rows = progressMap(progress.get(s.id) ?? []);
      const predicted = [...rows.values()].some((p) => p.prediction);
      // A session too long to grade shows its predictions ungraded rather than failing the whole view.
      const logs = predicted ? await this.labs.sessionLogs(s).catch(ungradable) : undefined;
      const graded = logs ? gradedPredictions(lab, rows, logs) : new Map();
      const tasks = lab.tasks.map((t) => {
        const p = rows.get(t.n);
        return {
          n: t.n,
          passed: Boolean(p?.passedAt),
          ...(p?.passedAt && { passedAt: p.passedAt.toISOString() }),
          ...(p?.predictedAt && { predictedAt: p.predictedAt.toISOString() }),
          ...(graded.has(t.n) && { predictions: graded.get(t.n)! }),
        };
      });
      entry(s.studentKey ?? `session:${s.id}`, s.student ?? ANONYMOUS).sessions.push({
        labId: s.labId,
        sessionId: s.id,
        mode: s.mode,
        createdAt: s.createdAt.toISOString(),
        tasksPassed: tasks.filter((t) => t.passed).length,
        taskCount: lab.tasks.length,
        tasks,
      });
    }
    // Attempts per student and quiz, oldest first (submissions() is in time order).
    const attempts = new Map<string, { key: string; label: string; quizId: string; list: StoredSubmission[] }>();
    for (const sub of await this.repo.submissions()) {
      const key = sub.studentKey ?? `quiz:${sub.quizId}`;
      const id = JSON.stringify([key, sub.quizId]);
      if (!attempts.has(id)) attempts.set(id, { key, label: sub.student ?? ANONYMOUS, quizId: sub.quizId, list: [] });
      attempts.get(id)!.list.push(sub);
    }
    const topics = new Map<string, string>();
    for (const { key, label, quizId, list } of attempts.values()) {
      if (!topics.has(quizId)) topics.set(quizId, (await this.repo.quiz(quizId))?.topic ?? 'unknown');
      entry(key, label).quizzes.push({ quizId, topic: topics.get(quizId)!, ...quizAttemptsSummary(list) });
    }
    const keys = this.roster.length > 0 ? this.roster : [...students.keys()];
    const name = (key: string) => students.get(key)?.student ?? this.tokenNames.get(key) ?? `token:${key.slice(0, 8)}`;
    const assignments: AssignmentProgress[] = [];
    for (const a of assigned) {
      const rules = assignmentRules(a);
      const head = { assignmentId: a.id, title: a.title, kind: rules.kind, deadline: a.deadline?.toISOString() ?? null };
      if (rules.kind === 'lab') {
        const lab = this.labs.labOrUndefined(a.labId ?? '');
        if (!lab) continue;
        const session = (key: string) => students.get(key)?.sessions.find((s) => s.labId === lab.id);
        const rows = keys.map((key) => labGradeRow(rules, name(key), lab.tasks.length, session(key)));
        assignments.push({ ...head, item: lab.id, ...(a.mode && { mode: a.mode }), students: rows });
      } else {
        const { view } = await this.labs.quiz(a.quizId ?? '', ANY_OWNER);
        const tried = (key: string) => attempts.get(JSON.stringify([key, view.id]))?.list ?? [];
        const rows = keys.map((key) => quizGradeRow(rules, name(key), view.id, view.questions.length, tried(key)));
        assignments.push({ ...head, item: view.topic, quizId: view.id, students: rows });
      }
    }
    return { students: [...students.values()], assignments };
  }

  /**
   * Deletes the sessions matching every filter given (at least one: a call without any would
   * delete every session): `student` a student's roster name, label or key, `before` a time
   * they started before. Their VMs are removed once their rows are gone, so a Start meanwhile
   * makes a fresh session rather than reopening one losing its VMs.
   */
  async deleteSessions(filter: { student?: string; before?: string }) {
    if (filter.student === undefined && filter.before === undefined)
      throw invalidInput('say which sessions to delete: ?student=<name, label or key> and/or ?before=<ISO date>', 'student');
    const before = filter.before === undefined ? undefined : isoInstant(filter.before, 'before');
    const label = (s: StoredLabSession) => (s.studentKey !== null && this.tokenNames.get(s.studentKey)) || s.student || ANONYMOUS;
    const matches = (await this.repo.sessions()).filter(
      (s) =>
        (filter.student === undefined || [s.studentKey, s.student, label(s)].includes(filter.student)) &&
        (before === undefined || s.createdAt < before),
    );
    const deleted = await this.repo.deleteSessions(matches.map((s) => s.id));
    const gone = matches.flatMap((s) => {
      const vms = deleted.get(s.id);
      return vms ? [{ ...s, vms }] : [];
    });
    await this.labs.removeVms(gone.flatMap((s) => s.vms));
    return {
      deleted: gone.map((s) => ({ sessionId: s.id, labId: s.labId, student: label(s), createdAt: s.createdAt.toISOString(), vms: s.vms.length })),
    };
  }

  /**
   * The tracepoints of log entry `seq` of a VM, as `trace-cmd report` text: the events of
   * the range asked for, or (none asked for) all of them if they fit in one answer, else 413.
   */
  async trace(vmId: string, seq: number, ask: { offset?: number; limit?: number } = {}): Promise<OperationTrace> {
    const range = { offset: ask.offset ?? 0, limit: ask.limit ?? MAX_TRACE_EVENTS };
    const trace = await this.vms.trace(vmId, seq, range).catch((error: unknown) => {
      if (error instanceof SimError && error.code === 'limit' && error.field === 'trace')
        throw new ServiceError(
          413,
          'response-too-large',
          `entry ${seq} emits more than ${MAX_TRACED_EVENTS} events, the most a trace replays (it costs many times the call); trace a smaller call`,
        );
      throw error;
    });
    if (ask.offset === undefined && ask.limit === undefined && trace.total > MAX_TRACE_EVENTS)
      throw new ServiceError(
        413,
        'response-too-large',
        `entry ${seq} emitted ${trace.total} events, more than the ${MAX_TRACE_EVENTS} one answer holds; ` +
          `ask for them a range at a time: ?offset=0&limit=${MAX_TRACE_EVENTS}, then ?offset=${MAX_TRACE_EVENTS}&limit=${MAX_TRACE_EVENTS}, ...`,
      );
    return trace;
  }

  /** The student's session for a repeated Start: as it is, unless another mode was asked for (409). */
  private async existing(lab: Lab, s: StoredLabSession, mode: LabMode | undefined, caller: Caller): Promise<LabSessionView> {
    const has = record(s).mode;
    if (mode !== undefined && mode !== has)
      throw conflict(
        `you already have a ${has}-mode session of lab ${lab.id} (session ${s.id}); a Start does not change its mode. ` +
          `Open it with a Start without "mode", or start over in ${mode} mode: POST /v1/labs/${lab.id}/sessions/${s.id}/reset ` +
          `with {"mode": "${mode}"} (fresh VMs, progress cleared).`,
      );
    return this.view(lab, s, caller);
  }

  private async view(lab: Lab, s: StoredLabSession, caller: Caller): Promise<LabSessionView> {
    const progress = progressMap(await this.repo.progress(s.id));
    const needsLogs = [...progress.values()].some((p) => p.prediction);
    const logs = needsLogs ? (await this.labs.gradeSession(lab, s, caller.owner)).logs : {};
    return sessionView(lab, record(s), progress, logs);
  }
}

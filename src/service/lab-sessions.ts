// Lab sessions per student, with stored progress: Start is idempotent per student and lab,
// Reset gives fresh VMs, predictions are stored and graded against the VMs' logs, a passed
// task stays passed, quiz submissions are kept, and teachers see everyone's progress.
import { randomUUID } from 'node:crypto';
import type { LabRepository, StoredLabSession, StoredTaskProgress } from '../db/lab-repository.js';
import { parsePrediction, type StoredPrediction } from '../labs/predict.js';
import { gradeQuiz } from '../labs/quiz.js';
import { checkedSession, sessionView, type LabSessionView, type ProgressByTask, type SessionRecord } from '../labs/session-progress.js';
import { LAB_MODES, type LabMode } from '../labs/task-view.js';
import { MAX_TRACE_EVENTS, type OperationTrace } from '../labs/trace.js';
import type { Lab } from '../labs/types.js';
import { notFound, ServiceError } from './errors.js';
import type { LabService } from './lab-service.js';
import type { VmStore } from './vm-store.js';

/** Who calls: the token's hash (tokens on) and its role; open server: no owner, no role. */
export interface Caller {
  owner?: string;
  role?: 'teacher' | 'student';
}

const ANONYMOUS = 'anonymous';

/** One session per lab and student: the token when tokens are on, else the name given. */
const studentKey = (caller: Caller, student: string | undefined): string => caller.owner ?? `open:${student ?? ANONYMOUS}`;
/** What teachers see: the name given, else a short label of the token. */
const studentLabel = (caller: Caller, student: string | undefined): string =>
  student ?? (caller.owner ? `token:${caller.owner.slice(0, 8)}` : ANONYMOUS);

const record = (s: StoredLabSession): SessionRecord => ({
  id: s.id,
  labId: s.labId,
  mode: (LAB_MODES as readonly string[]).includes(s.mode) ? (s.mode as LabMode) : 'guided',
  student: s.student,
  createdAt: s.createdAt,
  vms: s.vms,
});

const progressMap = (rows: StoredTaskProgress[]): ProgressByTask =>
  new Map(rows.map((r) => [r.n, { passedAt: r.passedAt, prediction: r.prediction ? (JSON.parse(r.prediction) as StoredPrediction) : null }]));

export class LabSessions {
  constructor(
    private readonly labs: LabService,
    private readonly repo: LabRepository,
    private readonly vms: VmStore,
  ) {}

  /** 201 and a new session, or 200 and the student's existing one (nothing created). */
  async start(labId: string, body: { mode?: LabMode; student?: string }, caller: Caller): Promise<{ created: boolean; view: LabSessionView }> {
    const lab = this.labs.lab(labId);
    const key = studentKey(caller, body.student);
    const existing = await this.repo.sessionOf(labId, key);
    if (existing) return { created: false, view: await this.view(lab, existing, caller) };
    const vms = await this.labs.createLabVms(lab, caller.owner);
    const session: StoredLabSession = {
      id: randomUUID(),
      labId,
      vms,
      createdAt: new Date(),
      owner: caller.owner ?? null,
      mode: body.mode ?? 'guided',
      student: studentLabel(caller, body.student),
      studentKey: key,
    };
    try {
      await this.repo.insertSession(session);
    } catch (error) {
      // Two Starts at once: the other one won (unique lab + student); keep its session.
      await this.labs.removeVms(vms);
      const winner = await this.repo.sessionOf(labId, key);
      if (!winner) throw error;
      return { created: false, view: await this.view(lab, winner, caller) };
    }
    return { created: true, view: await this.view(lab, session, caller) };
  }

  async get(labId: string, sessionId: string, caller: Caller): Promise<LabSessionView> {
    return this.view(this.labs.lab(labId), await this.labs.session(labId, sessionId, caller.owner), caller);
  }

  /** Fresh VMs for the same roles, progress and predictions cleared; the session id stays. */
  async reset(labId: string, sessionId: string, caller: Caller): Promise<LabSessionView> {
    const lab = this.labs.lab(labId);
    const session = await this.labs.session(labId, sessionId, caller.owner);
    const fresh = await this.labs.createLabVms(lab, caller.owner);
    await this.repo.resetSession(session.id, fresh);
    await this.labs.removeVms(session.vms);
    return this.view(lab, { ...session, vms: fresh }, caller);
  }

  /** Stores the prediction with each VM's log length now: only calls after it grade it. */
  async predict(labId: string, sessionId: string, n: number, body: Record<string, unknown>, caller: Caller) {
    const lab = this.labs.lab(labId);
    const session = await this.labs.session(labId, sessionId, caller.owner);
    const task = lab.tasks[n - 1];
    if (!task) throw notFound(`lab ${labId} has no task ${n}`);
    const values = parsePrediction(task, body);
    const previous = progressMap(await this.repo.progress(session.id)).get(n)?.prediction;
    const { logs } = await this.labs.gradeSession(lab, session, caller.owner);
    const stored: StoredPrediction = {
      values,
      logLengths: Object.fromEntries(session.vms.map(({ name }) => [name, logs[name]?.length ?? 0])),
      attempts: (previous?.attempts ?? 0) + 1,
    };
    await this.repo.storePrediction(session.id, n, stored);
    return { stored: true as const, n, prediction: values, attempts: stored.attempts };
  }

  /** The lab's grade now, passed tasks kept passed (and stored the first time), predictions graded. */
  async check(labId: string, sessionId: string, caller: Caller) {
    const lab = this.labs.lab(labId);
    const session = await this.labs.session(labId, sessionId, caller.owner);
    const { grade, logs } = await this.labs.gradeSession(lab, session, caller.owner);
    const checked = checkedSession(lab, grade, progressMap(await this.repo.progress(session.id)), logs);
    if (checked.newlyPassed.length > 0) await this.repo.markPassed(session.id, checked.newlyPassed, new Date());
    return { sessionId, labId, passed: checked.passed, tasks: checked.tasks };
  }

  /** Grades and stores a quiz submission (under the token, or the name given). */
  async submitQuiz(quizId: string, body: { answers: Record<string, unknown>; student?: string }, caller: Caller) {
    const { view, quiz } = await this.labs.quiz(quizId, caller.owner);
    const grade = gradeQuiz(quiz, body.answers);
    await this.repo.insertSubmission({
      quizId: view.id,
      student: studentLabel(caller, body.student),
      studentKey: studentKey(caller, body.student),
      score: grade.score,
      total: grade.total,
      answers: body.answers,
      createdAt: new Date(),
    });
    return { quizId: view.id, ...grade };
  }

  /** The teacher's view: per student, sessions with tasks passed and predictions, and quiz scores. */
  async progress() {
    const sessions = await this.repo.sessions();
    const progress = await this.repo.allProgress();
    const students = new Map<string, { student: string; sessions: unknown[]; quizzes: unknown[] }>();
    const entry = (key: string, label: string) => {
      let e = students.get(key);
      if (!e) students.set(key, (e = { student: label, sessions: [], quizzes: [] }));
      return e;
    };
    for (const s of sessions) {
      const lab = this.labs.labOrUndefined(s.labId);
      if (!lab) continue;
      const rows = progressMap(progress.get(s.id) ?? []);
      const tasks = lab.tasks.map((t) => {
        const p = rows.get(t.n);
        return {
          n: t.n,
          passed: Boolean(p?.passedAt),
          ...(p?.passedAt && { passedAt: p.passedAt.toISOString() }),
          ...(p?.prediction && { attempts: p.prediction.attempts }),
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
    const topics = new Map<string, string>();
    for (const sub of await this.repo.submissions()) {
      if (!topics.has(sub.quizId)) topics.set(sub.quizId, (await this.repo.quiz(sub.quizId))?.topic ?? 'unknown');
      entry(sub.studentKey ?? `quiz:${sub.quizId}`, sub.student ?? ANONYMOUS).quizzes.push({
        quizId: sub.quizId,
        topic: topics.get(sub.quizId)!,
        score: sub.score,
        of: sub.total,
        submittedAt: sub.createdAt.toISOString(),
      });
    }
    return { students: [...students.values()] };
  }

  /**
   * The tracepoints of log entry `seq` of a VM, as `trace-cmd report` text: the events of
   * the range asked for, or (none asked for) all of them if they fit in one answer, else 413.
   */
  async trace(vmId: string, seq: number, ask: { offset?: number; limit?: number } = {}): Promise<OperationTrace> {
    const range = { offset: ask.offset ?? 0, limit: ask.limit ?? MAX_TRACE_EVENTS };
    const trace = await this.vms.trace(vmId, seq, range);
    if (ask.offset === undefined && ask.limit === undefined && trace.total > MAX_TRACE_EVENTS)
      throw new ServiceError(
        413,
        'response-too-large',
        `entry ${seq} emitted ${trace.total} events, more than the ${MAX_TRACE_EVENTS} one answer holds; ` +
          `ask for them a range at a time: ?offset=0&limit=${MAX_TRACE_EVENTS}, then ?offset=${MAX_TRACE_EVENTS}&limit=${MAX_TRACE_EVENTS}, ...`,
      );
    return trace;
  }

  private async view(lab: Lab, s: StoredLabSession, caller: Caller): Promise<LabSessionView> {
    const progress = progressMap(await this.repo.progress(s.id));
    const needsLogs = [...progress.values()].some((p) => p.prediction);
    const logs = needsLogs ? (await this.labs.gradeSession(lab, s, caller.owner)).logs : {};
    return sessionView(lab, record(s), progress, logs);
  }
}

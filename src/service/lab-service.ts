// Labs and quizzes over the live VMs: a session's VMs are ordinary VMs created and set up
// through the LiveVms (so their set-up is logged and replayed like any call), and a check
// grades the engine state and logged results of those VMs, never what a client reports:
// each VM's checks run inside its queue, on exactly the state its committed log rebuilds.
import { randomInt, randomUUID } from 'node:crypto';
import type { LabRepository, StoredLabSession, StoredQuiz } from '../db/lab-repository.js';
import { labSummary } from '../labs/catalogue.js';
import { assembleGrade, evaluateCheck, labChecks } from '../labs/checks.js';
import { generateQuiz, isQuizTopic, publicQuiz, QUIZ_TOPICS, type PublicQuiz, type Quiz } from '../labs/quiz.js';
import { createLabSession } from '../labs/session.js';
import type { Check, CheckOutcome, Lab, LabGrade, LoggedOperation } from '../labs/lab-types.js';
import { invalidInput, notFound, ServiceError } from './errors.js';
import { mayAccess, storedOwner, teacherWrite, type Owner } from './owner.js';
import type { LiveVms } from './live-vms.js';

export type QuizView = { id: string; createdAt: string } & PublicQuiz;

export class LabService {
  private readonly labs: Map<string, Lab>;

  constructor(
    labs: Lab[],
    private readonly repo: LabRepository,
    private readonly vms: LiveVms,
  ) {
    this.labs = new Map(labs.map((l) => [l.id, l]));
  }

  list(): ReturnType<typeof labSummary>[] {
    return [...this.labs.values()].map(labSummary);
  }

  labOrUndefined(labId: string): Lab | undefined {
    return this.labs.get(labId);
  }

  lab(labId: string): Lab {
    const lab = this.labs.get(labId);
    if (!lab) throw notFound(`no lab with id ${labId}`);
    return lab;
  }

  /** Creates the lab's VMs and runs their set-up as logged operations; all or nothing. */
  async createLabVms(lab: Lab, owner: Owner | undefined): Promise<{ name: string; id: string }[]> {
    const created: { name: string; id: string }[] = [];
    try {
      for (const s of createLabSession(lab)) {
        const vm = await this.vms.create(s.config, owner);
        created.push({ name: s.name, id: vm.id });
        for (const op of s.setupOps) await this.vms.execute(vm.id, op);
      }
      return created;
    } catch (error) {
      await this.removeVms(created);
      throw error;
    }
  }

  async removeVms(vms: { id: string }[]): Promise<void> {
    await Promise.all(vms.map((vm) => this.vms.remove(vm.id).catch(() => undefined)));
  }

  /**
   * The session, if it belongs to this lab and the caller may see it (404 otherwise). A
   * teacher reads a student's session with ANY_OWNER (routes/labs.ts, on read-only routes);
   * with their own token, on a route that changes it, they are refused (403).
   */
  async session(labId: string, sessionId: string, caller: { owner: Owner | undefined; role?: string | undefined }): Promise<StoredLabSession> {
    const s = await this.repo.session(sessionId);
    if (!s || s.labId !== labId) throw notFound(`no session ${sessionId} of lab ${labId}`);
    if (mayAccess(caller.owner, s.owner)) return s;
    if (caller.role === 'teacher') throw teacherWrite(`session ${sessionId}`);
    throw notFound(`no session ${sessionId} of lab ${labId}`);
  }

  /** Grades every task against the session VMs' engine state and their server-side logs (each at most LAB_LOG_CAP entries). */
  async gradeSession(
    lab: Lab,
    session: StoredLabSession,
    owner: Owner | undefined,
  ): Promise<{ grade: LabGrade; logs: Record<string, LoggedOperation[]> }> {
    const checks = labChecks(lab);
    const outcomes = new Map<Check, CheckOutcome>();
    const logs: Record<string, LoggedOperation[]> = {};
    for (const { name, id } of session.vms) {
      if (!this.vms.visible(id, owner)) continue; // deleted since: its checks say "no VM named"
      // Every session VM's log is read, checks or not: predictions are graded against it.
      const own = checks.filter((c) => c.vm === name);
      const readsLog = own.some((c) => c.kind === 'operationLogged');
      const { log, answer } = await this.vms.withLog<'labChecks'>(
        id,
        (l) => ({ kind: 'labChecks', checks: own, ...(readsLog && { log: l }) }),
        labLogCap(name),
      );
      logs[name] = log;
      own.forEach((check, i) => outcomes.set(check, answer[i]!));
    }
    return {
      grade: assembleGrade(
        lab,
        checks.map((c) => outcomes.get(c) ?? evaluateCheck(c, { vms: {} })),
      ),
      logs,
    };
  }

  /** Each session VM's committed log, without running checks: where a prediction starts, and the teacher's view. */
  async sessionLogs(session: StoredLabSession): Promise<Record<string, LoggedOperation[]>> {
    const logs: Record<string, LoggedOperation[]> = {};
    for (const { name, id } of session.vms) if (this.vms.has(id)) logs[name] = await this.vms.committedLogOf(id, labLogCap(name));
    return logs;
  }

  async createQuiz(topic: unknown, seed: number | undefined, owner: Owner | undefined): Promise<QuizView> {
    if (!isQuizTopic(topic)) throw invalidInput(`topic must be one of ${QUIZ_TOPICS.join(', ')}`, 'topic');
    const stored: StoredQuiz = { id: randomUUID(), topic, seed: seed ?? randomInt(0, 2 ** 32 - 1), createdAt: new Date(), owner: storedOwner(owner) };
    const quiz = generateQuiz(topic, stored.seed);
    await this.repo.insertQuiz(stored);
    return quizView(stored, quiz);
  }

  /** The stored quiz, regenerated from its topic and seed (404 for another token's quiz). */
  async quiz(quizId: string, owner: Owner | undefined): Promise<{ view: QuizView; quiz: Quiz }> {
    const stored = await this.repo.quiz(quizId);
    if (!stored || !mayAccess(owner, stored.owner)) throw notFound(`no quiz with id ${quizId}`);
    const quiz = generateQuiz(stored.topic as Quiz['topic'], stored.seed);
    return { view: quizView(stored, quiz), quiz };
  }

  /** The quiz's answer key. */
  async quizAnswers(quizId: string, owner: Owner | undefined): Promise<{ id: string; topic: Quiz['topic']; seed: number; answers: Quiz['answers'] }> {
    const { view, quiz } = await this.quiz(quizId, owner);
    return { id: view.id, topic: quiz.topic, seed: view.seed, answers: quiz.answers };
  }
}

/**
 * Grading reads a session VM's whole log on the main thread, so it reads at most this many
 * entries: far more than any lab's tasks need, far less than MAX_OPERATIONS_PER_VM.
 */
const LAB_LOG_CAP = 10_000;

/** A session VM's log is longer than LAB_LOG_CAP: the session can no longer be graded (409). */
export class LabLogTooLong extends ServiceError {
  constructor(vm: string, entries: number) {
    super(
      409,
      'conflict',
      `the session's VM "${vm}" has ${entries} log entries; grading reads at most ${LAB_LOG_CAP}: reset the session to start over with fresh VMs`,
    );
  }
}

const labLogCap = (vm: string) => ({ entries: LAB_LOG_CAP, refusal: (entries: number) => new LabLogTooLong(vm, entries) });

const quizView = (stored: StoredQuiz, quiz: Quiz): QuizView => ({ id: stored.id, createdAt: stored.createdAt.toISOString(), ...publicQuiz(quiz) });

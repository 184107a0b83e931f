// Labs and quizzes over the live VMs: a session's VMs are ordinary VMs created and set up
// through the VmStore (so their set-up is logged and replayed like any call), and a check
// grades the engine state and logged results of those VMs, never what a client reports:
// each VM's checks run inside its queue, on exactly the state its committed log rebuilds.
import { randomInt, randomUUID } from 'node:crypto';
import type { LabRepository, StoredLabSession, StoredQuiz } from '../db/lab-repository.js';
import { labSummary } from '../labs/catalogue.js';
import { assembleGrade, evaluateCheck, labChecks } from '../labs/checks.js';
import { generateQuiz, gradeQuiz, isQuizTopic, publicQuiz, QUIZ_TOPICS, type PublicQuiz, type Quiz, type QuizGrade } from '../labs/quiz.js';
import { createLabSession } from '../labs/session.js';
import type { Check, CheckOutcome, Lab, LabGrade } from '../labs/types.js';
import { invalidInput, notFound } from './errors.js';
import type { VmStore } from './vm-store.js';

export interface LabSessionView {
  sessionId: string;
  labId: string;
  vms: { name: string; id: string }[];
  createdAt: string;
}

export type QuizView = { id: string; createdAt: string } & PublicQuiz;

export class LabService {
  private readonly labs: Map<string, Lab>;

  constructor(
    labs: Lab[],
    private readonly repo: LabRepository,
    private readonly vms: VmStore,
  ) {
    this.labs = new Map(labs.map((l) => [l.id, l]));
  }

  list(): ReturnType<typeof labSummary>[] {
    return [...this.labs.values()].map(labSummary);
  }

  lab(labId: string): Lab {
    const lab = this.labs.get(labId);
    if (!lab) throw notFound(`no lab with id ${labId}`);
    return lab;
  }

  /** Creates the lab's VMs and runs their set-up as logged operations; all or nothing. */
  async createSession(labId: string, owner?: string): Promise<LabSessionView> {
    const lab = this.lab(labId);
    const created: { name: string; id: string }[] = [];
    try {
      for (const s of createLabSession(lab)) {
        const vm = await this.vms.create(s.config, owner);
        created.push({ name: s.name, id: vm.id });
        for (const op of s.setupOps) await this.vms.execute(vm.id, op);
      }
      const session: StoredLabSession = { id: randomUUID(), labId, vms: created, createdAt: new Date(), owner: owner ?? null };
      await this.repo.insertSession(session);
      return sessionView(session);
    } catch (error) {
      await Promise.all(created.map((vm) => this.vms.remove(vm.id).catch(() => undefined)));
      throw error;
    }
  }

  /** The session, if it belongs to this lab and the caller may see it (404 otherwise). */
  async session(labId: string, sessionId: string, owner?: string): Promise<StoredLabSession> {
    const s = await this.repo.session(sessionId);
    if (!s || s.labId !== labId || (owner !== undefined && s.owner !== owner))
      throw notFound(`no session ${sessionId} of lab ${labId}`);
    return s;
  }

  /** Grades every task against the session VMs' engine state and their server-side logs. */
  async check(labId: string, sessionId: string, owner?: string): Promise<LabGrade & { sessionId: string }> {
    const lab = this.lab(labId);
    const session = await this.session(labId, sessionId, owner);
    const checks = labChecks(lab);
    const outcomes = new Map<Check, CheckOutcome>();
    for (const { name, id } of session.vms) {
      if (!this.vms.visible(id, owner)) continue; // deleted since: its checks say "no VM named"
      const own = checks.filter((c) => c.vm === name);
      if (own.length === 0) continue;
      const readsLog = own.some((c) => c.kind === 'operationLogged');
      const { answer } = await this.vms.withLog<'labChecks'>(id, (log) => ({ kind: 'labChecks', checks: own, ...(readsLog && { log }) }));
      own.forEach((check, i) => outcomes.set(check, answer[i]!));
    }
    return { sessionId, ...assembleGrade(lab, checks.map((c) => outcomes.get(c) ?? evaluateCheck(c, { vms: {} }))) };
  }

  async createQuiz(topic: unknown, seed: number | undefined, owner?: string): Promise<QuizView> {
    if (!isQuizTopic(topic)) throw invalidInput(`topic must be one of ${QUIZ_TOPICS.join(', ')}`, 'topic');
    const stored: StoredQuiz = { id: randomUUID(), topic, seed: seed ?? randomInt(0, 2 ** 32 - 1), createdAt: new Date(), owner: owner ?? null };
    const quiz = generateQuiz(topic, stored.seed);
    await this.repo.insertQuiz(stored);
    return quizView(stored, quiz);
  }

  /** The stored quiz, regenerated from its topic and seed (404 for another token's quiz). */
  async quiz(quizId: string, owner?: string): Promise<{ view: QuizView; quiz: Quiz }> {
    const stored = await this.repo.quiz(quizId);
    if (!stored || (owner !== undefined && stored.owner !== owner)) throw notFound(`no quiz with id ${quizId}`);
    const quiz = generateQuiz(stored.topic as Quiz['topic'], stored.seed);
    return { view: quizView(stored, quiz), quiz };
  }

  /** The quiz's answer key. */
  async quizAnswers(quizId: string, owner?: string): Promise<{ id: string; topic: string; seed: number; answers: Quiz['answers'] }> {
    const { view, quiz } = await this.quiz(quizId, owner);
    return { id: view.id, topic: view.topic, seed: view.seed, answers: quiz.answers };
  }

  /** Grades submitted answers against the quiz's engine-computed key. */
  async submitQuiz(quizId: string, answers: Record<string, unknown>, owner?: string): Promise<{ quizId: string } & QuizGrade> {
    const { view, quiz } = await this.quiz(quizId, owner);
    return { quizId: view.id, ...gradeQuiz(quiz, answers) };
  }
}

const sessionView = (s: StoredLabSession): LabSessionView => ({ sessionId: s.id, labId: s.labId, vms: s.vms, createdAt: s.createdAt.toISOString() });

const quizView = (stored: StoredQuiz, quiz: Quiz): QuizView => ({ id: stored.id, createdAt: stored.createdAt.toISOString(), ...publicQuiz(quiz) });

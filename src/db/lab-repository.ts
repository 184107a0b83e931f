// Lab sessions, their progress, quizzes and quiz submissions in the database, through
// Prisma. A session is a lab id and the ids of the VMs it created (the VMs and their logs
// are stored as any VM's); a quiz is its topic and seed, which regenerate it byte for byte.
// Progress per task: when it first passed (it stays passed), and its one prediction and when.
import type { PrismaClient } from '@prisma/client';

export interface StoredLabSession {
  id: string;
  labId: string;
  /** Lab VM name -> VM id, in the lab's order. */
  vms: { name: string; id: string }[];
  createdAt: Date;
  owner: string | null;
  mode: string;
  /** Shown to teachers. */
  student: string | null;
  /** One session per lab and key (null: sessions made before keys existed). */
  studentKey: string | null;
}

export interface StoredQuiz {
  id: string;
  topic: string;
  seed: number;
  createdAt: Date;
  owner: string | null;
}

export interface StoredTaskProgress {
  n: number;
  passedAt: Date | null;
  /** JSON text of a StoredPrediction (src/labs/predict.ts), or null. */
  prediction: string | null;
  predictedAt: Date | null;
}

export interface StoredSubmission {
  quizId: string;
  student: string | null;
  studentKey: string | null;
  score: number;
  total: number;
  answers: unknown;
  createdAt: Date;
}

type SessionRow = {
  id: string;
  labId: string;
  vms: string;
  createdAt: Date;
  ownerTokenHash: string | null;
  mode: string;
  student: string | null;
  studentKey: string | null;
};

const fromRow = (row: SessionRow): StoredLabSession => ({
  id: row.id,
  labId: row.labId,
  vms: JSON.parse(row.vms),
  createdAt: row.createdAt,
  owner: row.ownerTokenHash,
  mode: row.mode,
  student: row.student,
  studentKey: row.studentKey,
});

export class LabRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async insertSession(s: StoredLabSession): Promise<void> {
    await this.prisma.labSession.create({
      data: {
        id: s.id,
        labId: s.labId,
        vms: JSON.stringify(s.vms),
        createdAt: s.createdAt,
        ownerTokenHash: s.owner,
        mode: s.mode,
        student: s.student,
        studentKey: s.studentKey,
      },
    });
  }

  async session(id: string): Promise<StoredLabSession | null> {
    const row = await this.prisma.labSession.findUnique({ where: { id } });
    return row && fromRow(row);
  }

  /** The student's session of this lab, if one was started. */
  async sessionOf(labId: string, studentKey: string): Promise<StoredLabSession | null> {
    const row = await this.prisma.labSession.findUnique({ where: { labId_studentKey: { labId, studentKey } } });
    return row && fromRow(row);
  }

  /** Every session, oldest first (the teacher's view). */
  async sessions(): Promise<StoredLabSession[]> {
    return (await this.prisma.labSession.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map(fromRow);
  }

  /** A reset: the session's new VMs (and mode), its progress and predictions cleared, in one transaction. */
  async resetSession(id: string, vms: { name: string; id: string }[], mode: string): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.labTaskProgress.deleteMany({ where: { sessionId: id } }),
      this.prisma.labSession.update({ where: { id }, data: { vms: JSON.stringify(vms), mode } }),
    ]);
  }

  /**
   * Deletes sessions with their progress, in one transaction; answers those that were still
   * there, with their VMs as they were then (a Reset may have replaced the ones read before).
   */
  async deleteSessions(ids: string[]): Promise<Map<string, { name: string; id: string }[]>> {
    if (ids.length === 0) return new Map();
    const [, present] = await this.prisma.$transaction([
      this.prisma.labTaskProgress.deleteMany({ where: { sessionId: { in: ids } } }),
      this.prisma.labSession.findMany({ where: { id: { in: ids } }, select: { id: true, vms: true } }),
      this.prisma.labSession.deleteMany({ where: { id: { in: ids } } }),
    ]);
    return new Map(present.map((r) => [r.id, JSON.parse(r.vms) as { name: string; id: string }[]]));
  }

  async progress(sessionId: string): Promise<StoredTaskProgress[]> {
    const rows = await this.prisma.labTaskProgress.findMany({ where: { sessionId }, orderBy: { n: 'asc' } });
    return rows.map((r) => ({ n: r.n, passedAt: r.passedAt, prediction: r.prediction, predictedAt: r.predictedAt }));
  }

  /** Every session's progress, by session id (the teacher's view). */
  async allProgress(): Promise<Map<string, StoredTaskProgress[]>> {
    const byId = new Map<string, StoredTaskProgress[]>();
    for (const r of await this.prisma.labTaskProgress.findMany({ orderBy: [{ sessionId: 'asc' }, { n: 'asc' }] })) {
      const list = byId.get(r.sessionId) ?? [];
      list.push({ n: r.n, passedAt: r.passedAt, prediction: r.prediction, predictedAt: r.predictedAt });
      byId.set(r.sessionId, list);
    }
    return byId;
  }

  /** Records tasks that passed now; a task already passed keeps its first time. */
  async markPassed(sessionId: string, tasks: number[], at: Date): Promise<void> {
    for (const n of tasks)
      await this.prisma.labTaskProgress.upsert({
        where: { sessionId_n: { sessionId, n } },
        create: { sessionId, n, passedAt: at },
        update: { passedAt: at },
      });
  }

  /**
   * Stores the task's prediction unless it has one: false when one was there (the first
   * stays). Each statement is atomic (UPDATE ... WHERE prediction IS NULL, then INSERT under
   * the primary key), so of two predictions at once exactly one is stored.
   */
  async storeFirstPrediction(sessionId: string, n: number, prediction: unknown, at: Date): Promise<boolean> {
    const data = { prediction: JSON.stringify(prediction), predictedAt: at };
    const { count } = await this.prisma.labTaskProgress.updateMany({ where: { sessionId, n, prediction: null }, data });
    if (count === 1) return true;
    try {
      await this.prisma.labTaskProgress.create({ data: { sessionId, n, ...data } });
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') return false; // the row exists: predicted already
      throw error;
    }
  }

  async insertQuiz(q: StoredQuiz): Promise<void> {
    await this.prisma.quiz.create({ data: { id: q.id, topic: q.topic, seed: BigInt(q.seed), createdAt: q.createdAt, ownerTokenHash: q.owner } });
  }

  async quiz(id: string): Promise<StoredQuiz | null> {
    const row = await this.prisma.quiz.findUnique({ where: { id } });
    return row && { id: row.id, topic: row.topic, seed: Number(row.seed), createdAt: row.createdAt, owner: row.ownerTokenHash };
  }

  async insertSubmission(s: StoredSubmission): Promise<void> {
    await this.prisma.quizSubmission.create({
      data: {
        quizId: s.quizId,
        student: s.student,
        studentKey: s.studentKey,
        score: s.score,
        total: s.total,
        answers: JSON.stringify(s.answers),
        createdAt: s.createdAt,
      },
    });
  }

  /** How many attempts the student made at the quiz. */
  async attemptCount(quizId: string, studentKey: string): Promise<number> {
    return this.prisma.quizSubmission.count({ where: { quizId, studentKey } });
  }

  /** Every submission, oldest first (the teacher's view). */
  async submissions(): Promise<StoredSubmission[]> {
    const rows = await this.prisma.quizSubmission.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map((r) => ({
      quizId: r.quizId,
      student: r.student,
      studentKey: r.studentKey,
      score: r.score,
      total: r.total,
      answers: JSON.parse(r.answers),
      createdAt: r.createdAt,
    }));
  }
}

// Lab sessions and quizzes in the database, through Prisma. A session is a lab id and the
// ids of the VMs it created (the VMs and their logs are stored as any VM's); a quiz is its
// topic and seed, which regenerate it byte for byte.
import type { PrismaClient } from '@prisma/client';

export interface StoredLabSession {
  id: string;
  labId: string;
  /** Lab VM name -> VM id, in the lab's order. */
  vms: { name: string; id: string }[];
  createdAt: Date;
  owner: string | null;
}

export interface StoredQuiz {
  id: string;
  topic: string;
  seed: number;
  createdAt: Date;
  owner: string | null;
}

export class LabRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async insertSession(s: StoredLabSession): Promise<void> {
    await this.prisma.labSession.create({
      data: { id: s.id, labId: s.labId, vms: JSON.stringify(s.vms), createdAt: s.createdAt, ownerTokenHash: s.owner },
    });
  }

  async session(id: string): Promise<StoredLabSession | null> {
    const row = await this.prisma.labSession.findUnique({ where: { id } });
    return row && { id: row.id, labId: row.labId, vms: JSON.parse(row.vms), createdAt: row.createdAt, owner: row.ownerTokenHash };
  }

  async insertQuiz(q: StoredQuiz): Promise<void> {
    await this.prisma.quiz.create({ data: { id: q.id, topic: q.topic, seed: BigInt(q.seed), createdAt: q.createdAt, ownerTokenHash: q.owner } });
  }

  async quiz(id: string): Promise<StoredQuiz | null> {
    const row = await this.prisma.quiz.findUnique({ where: { id } });
    return row && { id: row.id, topic: row.topic, seed: Number(row.seed), createdAt: row.createdAt, owner: row.ownerTokenHash };
  }
}

// Assignments in the database, through Prisma: what a teacher handed out (a lab in a mode,
// or a quiz generated for it), its deadline and, for a quiz, its key and attempt rules.
// Students' work on them is stored as any lab session's or quiz attempt's.
import type { PrismaClient } from '@prisma/client';

export interface StoredAssignment {
  id: string;
  title: string;
  kind: string;
  labId: string | null;
  mode: string | null;
  quizId: string | null;
  deadline: Date | null;
  reveal: string | null;
  attemptsCounted: number | null;
  createdAt: Date;
  owner: string | null;
}

type AssignmentRow = Omit<StoredAssignment, 'owner'> & { ownerTokenHash: string | null };

const fromRow = ({ ownerTokenHash, ...row }: AssignmentRow): StoredAssignment => ({ ...row, owner: ownerTokenHash });

export class AssignmentRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async insert({ owner, ...a }: StoredAssignment): Promise<void> {
    await this.prisma.assignment.create({ data: { ...a, ownerTokenHash: owner } });
  }

  async assignment(id: string): Promise<StoredAssignment | null> {
    const row = await this.prisma.assignment.findUnique({ where: { id } });
    return row && fromRow(row);
  }

  /** Every assignment, oldest first. */
  async all(): Promise<StoredAssignment[]> {
    return (await this.prisma.assignment.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map(fromRow);
  }
}

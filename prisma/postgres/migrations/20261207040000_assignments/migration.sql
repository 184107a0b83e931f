-- CreateTable
CREATE TABLE "Assignment" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "labId" TEXT,
    "mode" TEXT,
    "quizId" TEXT,
    "deadline" TIMESTAMP(3),
    "reveal" TEXT,
    "attemptsCounted" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ownerTokenHash" TEXT,

    CONSTRAINT "Assignment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Assignment_createdAt_id_idx" ON "Assignment"("createdAt", "id");


-- CreateTable
CREATE TABLE "Assignment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "labId" TEXT,
    "mode" TEXT,
    "quizId" TEXT,
    "deadline" DATETIME,
    "reveal" TEXT,
    "attemptsCounted" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ownerTokenHash" TEXT
);

-- CreateIndex
CREATE INDEX "Assignment_createdAt_id_idx" ON "Assignment"("createdAt", "id");


-- CreateTable
CREATE TABLE "LabTaskProgress" (
    "sessionId" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    "passedAt" DATETIME,
    "prediction" TEXT,

    PRIMARY KEY ("sessionId", "n"),
    CONSTRAINT "LabTaskProgress_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "LabSession" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "QuizSubmission" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "quizId" TEXT NOT NULL,
    "student" TEXT,
    "studentKey" TEXT,
    "score" INTEGER NOT NULL,
    "total" INTEGER NOT NULL,
    "answers" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- AlterTable (ADD COLUMN keeps existing sessions: guided, no student)
ALTER TABLE "LabSession" ADD COLUMN "mode" TEXT NOT NULL DEFAULT 'guided';
ALTER TABLE "LabSession" ADD COLUMN "student" TEXT;
ALTER TABLE "LabSession" ADD COLUMN "studentKey" TEXT;

-- CreateIndex
CREATE INDEX "LabSession_studentKey_idx" ON "LabSession"("studentKey");

-- CreateIndex
CREATE UNIQUE INDEX "LabSession_labId_studentKey_key" ON "LabSession"("labId", "studentKey");

-- CreateIndex
CREATE INDEX "QuizSubmission_studentKey_createdAt_idx" ON "QuizSubmission"("studentKey", "createdAt");

-- CreateIndex
CREATE INDEX "QuizSubmission_quizId_idx" ON "QuizSubmission"("quizId");


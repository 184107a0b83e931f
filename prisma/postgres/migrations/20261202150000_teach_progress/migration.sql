-- AlterTable
ALTER TABLE "LabSession" ADD COLUMN     "mode" TEXT NOT NULL DEFAULT 'guided',
ADD COLUMN     "student" TEXT,
ADD COLUMN     "studentKey" TEXT;

-- CreateTable
CREATE TABLE "LabTaskProgress" (
    "sessionId" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    "passedAt" TIMESTAMP(3),
    "prediction" TEXT,

    CONSTRAINT "LabTaskProgress_pkey" PRIMARY KEY ("sessionId","n")
);

-- CreateTable
CREATE TABLE "QuizSubmission" (
    "id" SERIAL NOT NULL,
    "quizId" TEXT NOT NULL,
    "student" TEXT,
    "studentKey" TEXT,
    "score" INTEGER NOT NULL,
    "total" INTEGER NOT NULL,
    "answers" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QuizSubmission_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "QuizSubmission_studentKey_createdAt_idx" ON "QuizSubmission"("studentKey", "createdAt");

-- CreateIndex
CREATE INDEX "QuizSubmission_quizId_idx" ON "QuizSubmission"("quizId");

-- CreateIndex
CREATE INDEX "LabSession_studentKey_idx" ON "LabSession"("studentKey");

-- CreateIndex
CREATE UNIQUE INDEX "LabSession_labId_studentKey_key" ON "LabSession"("labId", "studentKey");

-- AddForeignKey
ALTER TABLE "LabTaskProgress" ADD CONSTRAINT "LabTaskProgress_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "LabSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;


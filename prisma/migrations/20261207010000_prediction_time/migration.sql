-- AlterTable (ADD COLUMN keeps existing progress: predictions stored before it have no time)
ALTER TABLE "LabTaskProgress" ADD COLUMN "predictedAt" DATETIME;

-- AlterTable
ALTER TABLE "LabTaskProgress" ADD COLUMN     "predictedAt" TIMESTAMP(3);


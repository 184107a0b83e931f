-- DropIndex
DROP INDEX "Operation_vmId_gpa_idx";


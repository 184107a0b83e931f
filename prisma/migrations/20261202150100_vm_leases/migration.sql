-- CreateTable
CREATE TABLE "VmLease" (
    "vmId" TEXT NOT NULL PRIMARY KEY,
    "owner" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    CONSTRAINT "VmLease_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AlterTable (Prisma's diff rebuilds the table; adding the column in place is the same
-- schema without copying every log entry)
ALTER TABLE "Operation" ADD COLUMN "epoch" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "VmLease_owner_idx" ON "VmLease"("owner");

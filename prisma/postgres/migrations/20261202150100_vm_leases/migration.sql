-- AlterTable
ALTER TABLE "Operation" ADD COLUMN     "epoch" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "VmLease" (
    "vmId" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VmLease_pkey" PRIMARY KEY ("vmId")
);

-- CreateIndex
CREATE INDEX "VmLease_owner_idx" ON "VmLease"("owner");

-- AddForeignKey
ALTER TABLE "VmLease" ADD CONSTRAINT "VmLease_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- AlterTable
ALTER TABLE "Vm" ADD COLUMN "ownerTokenHash" TEXT;

-- CreateIndex
CREATE INDEX "Vm_ownerTokenHash_createdAt_id_idx" ON "Vm"("ownerTokenHash", "createdAt", "id");

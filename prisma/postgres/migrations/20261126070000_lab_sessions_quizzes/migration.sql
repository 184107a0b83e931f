-- CreateTable
CREATE TABLE "Vm" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "config" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ownerTokenHash" TEXT,

    CONSTRAINT "Vm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Operation" (
    "id" SERIAL NOT NULL,
    "vmId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "op" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "gpa" TEXT,
    "size" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Operation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Memslot" (
    "vmId" TEXT NOT NULL,
    "addressSpace" INTEGER NOT NULL,
    "slot" INTEGER NOT NULL,
    "guestPhysAddr" TEXT NOT NULL,
    "size" TEXT NOT NULL,
    "userspaceAddr" TEXT NOT NULL,
    "guestMemfdOffset" TEXT NOT NULL,
    "flags" TEXT NOT NULL,
    "backing" TEXT NOT NULL,

    CONSTRAINT "Memslot_pkey" PRIMARY KEY ("vmId","addressSpace","slot")
);

-- CreateTable
CREATE TABLE "Vcpu" (
    "vmId" TEXT NOT NULL,
    "id" INTEGER NOT NULL,
    "maxPhysAddr" INTEGER NOT NULL,
    "smm" BOOLEAN NOT NULL,
    "guestMode" BOOLEAN NOT NULL,
    "nestedTdp" BOOLEAN NOT NULL,

    CONSTRAINT "Vcpu_pkey" PRIMARY KEY ("vmId","id")
);

-- CreateTable
CREATE TABLE "MemoryAttributeRange" (
    "vmId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "size" TEXT NOT NULL,
    "private" BOOLEAN NOT NULL,

    CONSTRAINT "MemoryAttributeRange_pkey" PRIMARY KEY ("vmId","address")
);

-- CreateTable
CREATE TABLE "LabSession" (
    "id" TEXT NOT NULL,
    "labId" TEXT NOT NULL,
    "vms" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ownerTokenHash" TEXT,

    CONSTRAINT "LabSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Quiz" (
    "id" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "seed" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ownerTokenHash" TEXT,

    CONSTRAINT "Quiz_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Vm_createdAt_id_idx" ON "Vm"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Vm_ownerTokenHash_createdAt_id_idx" ON "Vm"("ownerTokenHash", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Operation_vmId_gpa_idx" ON "Operation"("vmId", "gpa");

-- CreateIndex
CREATE UNIQUE INDEX "Operation_vmId_seq_key" ON "Operation"("vmId", "seq");

-- AddForeignKey
ALTER TABLE "Operation" ADD CONSTRAINT "Operation_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Memslot" ADD CONSTRAINT "Memslot_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vcpu" ADD CONSTRAINT "Vcpu_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MemoryAttributeRange" ADD CONSTRAINT "MemoryAttributeRange_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;


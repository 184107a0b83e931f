-- CreateTable
CREATE TABLE "Vm" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "config" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Operation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "vmId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "op" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "gpa" TEXT,
    "size" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Operation_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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

    PRIMARY KEY ("vmId", "addressSpace", "slot"),
    CONSTRAINT "Memslot_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Vcpu" (
    "vmId" TEXT NOT NULL,
    "id" INTEGER NOT NULL,
    "maxPhysAddr" INTEGER NOT NULL,
    "smm" BOOLEAN NOT NULL,
    "guestMode" BOOLEAN NOT NULL,
    "nestedTdp" BOOLEAN NOT NULL,

    PRIMARY KEY ("vmId", "id"),
    CONSTRAINT "Vcpu_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MemoryAttributeRange" (
    "vmId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "size" TEXT NOT NULL,
    "private" BOOLEAN NOT NULL,

    PRIMARY KEY ("vmId", "address"),
    CONSTRAINT "MemoryAttributeRange_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Vm_createdAt_id_idx" ON "Vm"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Operation_vmId_gpa_idx" ON "Operation"("vmId", "gpa");

-- CreateIndex
CREATE UNIQUE INDEX "Operation_vmId_seq_key" ON "Operation"("vmId", "seq");


// The scenario runner's Driver over the engine itself (no HTTP, no database). An arm64/s390
// VM is built as the service builds it (its arch's defaults, ArchEngineVm around the engine).
import { createEngineVm, type EngineVm } from '../../src/labs/engine-vm.js';
import { withAnyVmDefaults, type AnyVmInput } from '../../src/labs/vm-arch.js';
import { createVm, withVmDefaults, type MappingRow, type RootView } from '../../src/sim/index.js';
import type { Driver } from './runner.js';

export function engineDriver(): Driver {
  let vm: EngineVm | undefined;
  const need = (): EngineVm => {
    if (!vm) throw new Error('createVm first');
    return vm;
  };
  return {
    async createVm(config) {
      vm = 'arch' in config ? createEngineVm(withAnyVmDefaults(config as unknown as AnyVmInput), {}) : createVm(withVmDefaults(config));
    },
    async apply(op) {
      return need().apply(op) as unknown as Record<string, unknown>;
    },
    async roots() {
      return need().roots() as RootView[];
    },
    async mappings(rootId, from, to) {
      const rows: MappingRow[] = [];
      let cursor: string | undefined;
      do {
        const page = need().mappings(rootId, {
          ...(from ? { from: BigInt(from) } : {}),
          ...(to ? { to: BigInt(to) } : {}),
          ...(cursor ? { cursor } : {}),
        });
        rows.push(...(page.mappings as MappingRow[]));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return rows;
    },
    async capability() {
      return need().capabilities().KVM_CAP_PRE_FAULT_MEMORY;
    },
  };
}

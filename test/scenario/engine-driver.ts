// The scenario runner's Driver over the engine itself (no HTTP, no database).
import { createVm, withVmDefaults, type Vm } from '../../src/sim/index.js';
import type { Driver } from './runner.js';

export function engineDriver(): Driver {
  let vm: Vm | undefined;
  const need = (): Vm => {
    if (!vm) throw new Error('createVm first');
    return vm;
  };
  return {
    async createVm(config) {
      vm = createVm(withVmDefaults(config));
    },
    async apply(op) {
      return need().apply(op) as unknown as Record<string, unknown>;
    },
    async roots() {
      return need().roots();
    },
    async mappings(rootId, from, to) {
      const rows = [];
      let cursor: string | undefined;
      do {
        const page = need().mappings(rootId, {
          ...(from ? { from: BigInt(from) } : {}),
          ...(to ? { to: BigInt(to) } : {}),
          ...(cursor ? { cursor } : {}),
        });
        rows.push(...page.mappings);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return rows;
    },
    async capability() {
      return need().capabilities().KVM_CAP_PRE_FAULT_MEMORY;
    },
  };
}

// The costliest single requests the bounds allow (docs/bounds.md), timed one at a time
// through the whole HTTP stack: a pre-fault that spends the whole page-table budget, its
// trace (counted to a 413, then one range), a scenario import at the caps, an export at
// the cap. Each line: the call, its status, its time, its body size; the main thread's
// heap growth after all of them. WORKERS=0 runs the engine on the main thread.
//   npx tsx --expose-gc bench/bounds.ts            (WORKERS=2 npx tsx ... for workers)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../src/app.js';
import { configWith, DEFAULT_CONFIG } from '../src/config.js';
import { DEFAULT_IMPORT_CAPS } from '../src/labs/scenario-io.js';

const dir = mkdtempSync(join(tmpdir(), 'prefault-bounds-'));
const workers = Number(process.env.WORKERS ?? 0);
const app = await build(configWith({ databaseUrl: `file:${join(dir, 'bounds.db')}`, workers, rateLimit: { max: 0, windowMs: 1000 } }), {
  logger: false,
});
await app.ready();
await app.liveVms.whenLoaded();
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;

async function call(label: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object): Promise<{ status: number; body: string }> {
  const started = performance.now();
  const res = await app.inject({ method, url, ...(payload && { payload }) });
  const ms = Math.round(performance.now() - started);
  const events = res.headers['x-trace-events'] ? `, ${String(res.headers['x-trace-events'])} events` : '';
  console.log(`${label.padEnd(52)} ${res.statusCode}  ${String(ms).padStart(6)} ms  ${String(res.body.length).padStart(9)} B${events}`);
  return { status: res.statusCode, body: res.body };
}

console.log(`workers ${workers}, page-table budget ${DEFAULT_CONFIG.limits.maxTableBytes / 2 ** 20} MiB`);
const vm = JSON.parse((await call('create a VM', 'POST', '/v1/vms', { name: 'bounds' })).body).id as string;
await call('4 TiB memslot of 4K pages', 'PUT', `/v1/vms/${vm}/memslots/0/0`, {
  guestPhysAddr: '0x0',
  size: '0x40000000000',
  backing: { pageSize: '4K', writable: true },
});
await call('vCPU 0', 'POST', `/v1/vms/${vm}/vcpus`, { id: 0 });
await call('pre-fault 4 TiB (stops at the budget)', 'POST', `/v1/vms/${vm}/vcpus/0/pre-fault`, { gpa: '0x0', size: '0x40000000000' });
await call('pre-fault the same 8 GiB again (all spurious)', 'POST', `/v1/vms/${vm}/vcpus/0/pre-fault`, { gpa: '0x0', size: '0x200000000' });
await call('trace of that pre-fault, whole (413)', 'GET', `/v1/vms/${vm}/operations/3/trace`);
await call('trace of that pre-fault, one range of 10,000', 'GET', `/v1/vms/${vm}/operations/3/trace?offset=1000000&limit=10000`);

const pages = DEFAULT_IMPORT_CAPS.accessPagesPerStep;
const steps = [];
for (let left = DEFAULT_IMPORT_CAPS.operations - 2, page = 0; left > 0; left -= pages, page += pages)
  steps.push({ op: 'guest_access', vcpu: 0, gpa: `0x${(page * 0x1000).toString(16)}`, size: `0x${(Math.min(pages, left) * 0x1000).toString(16)}` });
const scenario = { name: 'bounds-import', memslots: [{ slot: 0, guest_phys_addr: '0x0', size: '0x100000000' }], vcpus: [{ id: 0 }], steps };
const imported = await call(`import of ${DEFAULT_IMPORT_CAPS.operations} operations (the cap)`, 'POST', '/v1/vms/import', scenario);
const importedId = JSON.parse(imported.body).vm.id as string;
await call(`export of ${DEFAULT_IMPORT_CAPS.operations} log entries (the cap)`, 'GET', `/v1/vms/${importedId}/export`);

global.gc?.();
console.log(`main-thread heap after: +${Math.round((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20)} MiB`);
await app.close();
rmSync(dir, { recursive: true, force: true });

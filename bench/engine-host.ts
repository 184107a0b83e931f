// The engine host's own cost (npm run bench:host): the same calls through the in-process
// host and through worker hosts, without HTTP. Sequential round trips show the latency a
// worker adds to one call; calls spread over 8 VMs with one in flight per VM (as the
// service's per-VM queues send them) show throughput and how it grows with workers.
import { withVmDefaults, type Operation } from '../src/sim/index.js';
import type { EngineHost } from '../src/service/engine/host.js';
import { createEngineHost } from '../src/service/engine/create-engine-host.js';
import { median } from './head-of-line.js';

const VMS = 8;
const BIG_PAGES = 4096;
const CALLS = Number(process.env.BENCH_CALLS ?? 20_000);
const config = withVmDefaults({ name: 'bench' });
const preFault = (gpa: number, pages = 2): Operation => ({
  op: 'pre_fault',
  vcpuId: 0,
  gpa: `0x${gpa.toString(16)}`,
  size: `0x${(pages * 0x1000).toString(16)}`,
  flags: '0x0',
});

async function setUp(host: EngineHost): Promise<string[]> {
  const ids = Array.from({ length: VMS }, (_, i) => `vm${i}`);
  for (const id of ids) {
    await host.create(id, config, { maxTableBytes: 1 << 30 });
    await host.apply(id, {
      op: 'set_memslot',
      addressSpace: 0,
      slot: 0,
      region: { guestPhysAddr: '0x0', size: '0x1000000000', backing: { pageSize: '4K', writable: true } },
    });
    await host.apply(id, { op: 'create_vcpu', vcpu: { id: 0 } });
  }
  return ids;
}

interface Figures {
  queryUs: number;
  applyUs: number;
  parallelPerSec: number;
  bigPerSec: number;
}

async function measure(workers: number): Promise<Figures> {
  const host = createEngineHost({ workers });
  try {
    const ids = await setUp(host);
    const id = ids[0]!;
    let t = performance.now();
    for (let i = 0; i < CALLS / 4; i++) await host.query(id, { kind: 'vcpu', vcpuId: 0 });
    const queryUs = ((performance.now() - t) * 1000) / (CALLS / 4);
    t = performance.now();
    for (let i = 0; i < CALLS / 4; i++) await host.apply(id, preFault(0x1_0000_0000 + i * 0x2000));
    const applyUs = ((performance.now() - t) * 1000) / (CALLS / 4);
    // One chain per VM: each VM's next call goes when its previous one answered.
    const chains = async (calls: number, pages: number, base: number): Promise<number> => {
      const started = performance.now();
      await Promise.all(
        ids.map(async (vm) => {
          for (let i = 0; i < calls / VMS; i++) await host.apply(vm, preFault(base + i * pages * 0x1000, pages));
        }),
      );
      return (calls / (performance.now() - started)) * 1000;
    };
    const parallelPerSec = await chains(CALLS, 2, 0x2_0000_0000);
    // 4096-page (16 MiB) pre-faults: engine-heavy calls, where extra cores show.
    const bigPerSec = await chains(VMS * 60, BIG_PAGES, 0x4_0000_0000);
    return { queryUs, applyUs, parallelPerSec, bigPerSec };
  } finally {
    await host.close();
  }
}

const runs = Number(process.env.BENCH_RUNS ?? 3);
const counts = (process.env.BENCH_WORKERS ?? '0,1,2').split(',').map(Number);
console.log(`engine host, no HTTP: ${CALLS} calls per figure, ${VMS} VMs, medians of ${runs} rounds (worker counts interleaved in each round)`);
const all: Record<number, Figures[]> = {};
for (let r = 0; r < runs; r++) for (const workers of counts) (all[workers] ??= []).push(await measure(workers));
const base: Record<number, Figures> = {};
for (const workers of counts) {
  const runsOf = all[workers]!;
  const f: Figures = {
    queryUs: median(runsOf.map((x) => x.queryUs)),
    applyUs: median(runsOf.map((x) => x.applyUs)),
    parallelPerSec: median(runsOf.map((x) => x.parallelPerSec)),
    bigPerSec: median(runsOf.map((x) => x.bigPerSec)),
  };
  base[workers] = f;
  console.log(
    `WORKERS=${workers}: one call at a time: query ${f.queryUs.toFixed(1)} us, 2-page pre-fault ${f.applyUs.toFixed(1)} us; ` +
      `8 VMs in parallel: ${Math.round(f.parallelPerSec)} 2-page pre-faults/s, ${Math.round(f.bigPerSec)} ${BIG_PAGES}-page pre-faults/s`,
  );
}
if (all[1] && all[2]) {
  const ratios = all[2].map((two, i) => two.bigPerSec / all[1]![i]!.bigPerSec);
  console.log(
    `2 workers / 1 worker: ${(base[2]!.parallelPerSec / base[1]!.parallelPerSec).toFixed(2)}x small, ` +
      `${BIG_PAGES}-page median ${median(ratios).toFixed(2)}x (rounds ${ratios.map((x) => x.toFixed(2)).join(', ')})`,
  );
}

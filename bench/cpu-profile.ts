// A V8 CPU profile of the main thread over exactly the load (bench/http.ts with
// BENCH_CPU_PROF=<dir>): the same sampler as `node --cpu-prof`, started when the target is
// ready and stopped before it closes, so start-up and VM set-up are not in it. Then self time
// summed per function and per package (Fastify, Ajv, pino, Prisma, better-sqlite3, our code,
// Node's internals, GC), which is what docs/performance.md lists.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Starts sampling this thread; the returned function stops and writes the profile to `file`. */
export async function startCpuProfile(): Promise<(file: string) => Promise<CpuProfile>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    session.disconnect();
    writeFileSync(file, JSON.stringify(profile));
    return profile;
  };
}

/** Which package a frame's script belongs to; a native function (no script) is its caller's. */
function packageOf(url: string, functionName: string, caller: () => string): string {
  if (!url) return functionName.startsWith('(') ? functionName : `${caller()}, native`;
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  if (url.startsWith('node:')) {
    const [first, second] = url.slice('node:'.length).split('/');
    return `node:${first === 'internal' ? second : first}`;
  }
  const ours = /\/(src|dist|bench)\/(.*)$/.exec(url);
  return ours ? `ours: ${ours[2]!.split('/').slice(0, -1).join('/') || ours[1]}` : url;
}

interface Row {
  name: string;
  micros: number;
  /** A function's package (a package's row: itself). */
  package: string;
}

/** Self time per function and per package, largest first, and the total sampled. */
function summarize(profile: CpuProfile): { total: number; functions: Row[]; packages: Row[] } {
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const parentOf = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  /** The package of the nearest caller that has a script. */
  const callerPackage = (id: number): string => {
    for (let n = parentOf.get(id); n; n = parentOf.get(n.id))
      if (n.callFrame.url) return packageOf(n.callFrame.url, n.callFrame.functionName, () => '');
    return '(root)';
  };
  const functions = new Map<string, Row>();
  const packages = new Map<string, Row>();
  const add = (rows: Map<string, Row>, name: string, pkg: string, micros: number) => {
    const row = rows.get(name) ?? rows.set(name, { name, micros: 0, package: pkg }).get(name)!;
    row.micros += micros;
  };
  let total = 0;
  for (const node of profile.nodes) {
    const micros = selfMicros.get(node.id) ?? 0;
    if (micros === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const pkg = packageOf(url, functionName, () => callerPackage(node.id));
    const fn = `${functionName || '(anonymous)'} ${url ? `${url.split('/').slice(-1)[0]}:${lineNumber + 1}` : ''} [${pkg}]`;
    add(functions, fn, pkg, micros);
    add(packages, pkg, pkg, micros);
    total += micros;
  }
  const sorted = (m: Map<string, Row>): Row[] => [...m.values()].sort((a, b) => b.micros - a.micros);
  return { total, functions: sorted(functions), packages: sorted(packages) };
}

/** Not the server's work: the thread waiting, and the profiler's own sampling (inspector). */
const notServer = (pkg: string): boolean => pkg === '(idle)' || pkg.startsWith('node:inspector');

/** The top rows of a profile as text, with each row's share of the server's busy time and per call. */
export function showSummary(profile: CpuProfile, calls: number, top = 25): string {
  const { total, functions, packages } = summarize(profile);
  const busy = packages.filter((p) => !notServer(p.name)).reduce((sum, p) => sum + p.micros, 0);
  const line = (r: Row) => `  ${((100 * r.micros) / busy).toFixed(1).padStart(5)}%  ${(r.micros / calls).toFixed(1).padStart(6)} us/call  ${r.name}`;
  return [
    `main thread: ${(busy / 1000).toFixed(0)} ms busy of ${(total / 1000).toFixed(0)} ms sampled, ${(busy / calls).toFixed(1)} us per call (wall time: a thread the OS preempts keeps being sampled); self time:`,
    ' per package:',
    ...packages
      .filter((p) => !notServer(p.name))
      .slice(0, top)
      .map(line),
    ' per function:',
    ...functions
      .filter((f) => !notServer(f.package))
      .slice(0, top)
      .map(line),
  ].join('\n');
}

// Concurrent pre-faults against a running server, recording every acknowledged (2xx) call.
// A worker stops at its first non-2xx answer or failed connection (the server went away).

const LOAD_SLOT = { guestPhysAddr: '0x0', size: '0x40000000', backing: { pageSize: '4K', writable: true } };

export interface Ack {
  vmId: string;
  gpa: string;
  body: unknown;
}

export interface LoadRun {
  acked: Ack[];
  /** Statuses of non-2xx answers, and connection failures as 0. */
  refused: number[];
  stop(): void;
  /** Resolves when every worker has stopped. */
  done: Promise<void>;
}

async function call(baseUrl: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method,
    ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

/** `count` VMs, each with a 1 GiB 4K memslot and vCPU 0. */
export async function createLoadVms(baseUrl: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const vm = await call(baseUrl, 'POST', '/v1/vms', { name: `load-${i}` });
    const { id } = (await vm.json()) as { id: string };
    if ((await call(baseUrl, 'PUT', `/v1/vms/${id}/memslots/0/0`, LOAD_SLOT)).status !== 200) throw new Error('memslot refused');
    if ((await call(baseUrl, 'POST', `/v1/vms/${id}/vcpus`, { id: 0 })).status !== 201) throw new Error('vCPU refused');
    ids.push(id);
  }
  return ids;
}

/** `concurrency` workers pre-faulting the next fresh page of the VMs in turn, until stopped or refused. */
export function driveLoad(baseUrl: string, vmIds: string[], concurrency: number): LoadRun {
  const run: LoadRun = { acked: [], refused: [], stop: () => (stopped = true), done: Promise.resolve() };
  let stopped = false;
  let next = 0;
  const worker = async () => {
    while (!stopped) {
      const n = next++;
      const vmId = vmIds[n % vmIds.length]!;
      const gpa = `0x${(Math.floor(n / vmIds.length) * 0x1000).toString(16)}`;
      try {
        const res = await call(baseUrl, 'POST', `/v1/vms/${vmId}/vcpus/0/pre-fault`, { gpa, size: '0x1000' });
        if (res.status >= 300) {
          run.refused.push(res.status);
          await res.arrayBuffer();
          return;
        }
        run.acked.push({ vmId, gpa, body: await res.json() });
      } catch {
        run.refused.push(0);
        return;
      }
    }
  };
  run.done = Promise.all(Array.from({ length: concurrency }, worker)).then(() => undefined);
  return run;
}

/** Resolves once `run` has at least `count` acknowledgements. */
export async function acknowledged(run: LoadRun, count: number): Promise<void> {
  while (run.acked.length < count) {
    if (run.refused.length > 0) throw new Error(`load refused early: ${run.refused.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

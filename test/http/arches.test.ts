// arm64 and s390 VMs over HTTP (contract v2): each arch's own host/VM/vCPU fields (another
// arch's field is a 400 naming it), memslots, vCPUs, KVM_PRE_FAULT_MEMORY answering as the
// engines do, the capability, roots, mappings and walks, the VM list, and a restart that
// replays the log to the same page tables.
import { afterAll, describe, expect, it } from 'vitest';
import { Arm64Vm, S390Vm } from '../../src/sim/index.js';
import { build, removeTempDirs, useTestApp, type TestApp } from '../helpers/build.js';
import { expectDocumented } from '../helpers/openapi.js';
import { queryRows } from '../helpers/store.js';

const t = useTestApp();

async function createVm(body: Record<string, unknown>, api = t.api): Promise<string> {
  const res = await api.post('/v1/vms').send(body);
  expect(res.status, res.text).toBe(201);
  expectDocumented(res, 'createVm');
  return res.body.id as string;
}

const put = (id: string, as: number, slot: number, body: object, api = t.api) => api.put(`/v1/vms/${id}/memslots/${as}/${slot}`).send(body);
const vcpu = (id: string, body: object, api = t.api) => api.post(`/v1/vms/${id}/vcpus`).send(body);
const preFault = (id: string, body: object, v = 0, api = t.api) => api.post(`/v1/vms/${id}/vcpus/${v}/pre-fault`).send(body);

async function expect400(res: { status: number; body: { field?: string }; text: string }, field: string): Promise<void> {
  expect(res.status, res.text).toBe(400);
  expect(res.body.field).toBe(field);
}

describe('creating arm64 and s390 VMs', () => {
  it('fills the arm64 defaults and shows the stage-2 geometry (4K granule, 40 bits: 3 levels from level 1, 2 tables)', async () => {
    const res = await t.api.post('/v1/vms').send({ name: 'arm', arch: 'arm64' });
    expect(res.status, res.text).toBe(201);
    expectDocumented(res, 'createVm');
    expect(res.body).toMatchObject({
      arch: 'arm64',
      kernel: '7.4',
      type: 'default',
      host: { granule: '4K', ipaLimit: 48, pkvm: false, nestedVirt: false, fwb: true, cacheDic: false },
      arm64: { ipaBits: 40, stage2Levels: 3, startLevel: 1, concatenatedTables: 2 },
      preFaultAllowed: true,
      dead: false,
      guestPhysBits: 40,
    });
    const got = await t.api.get(`/v1/vms/${res.body.id}`);
    expectDocumented(got, 'getVm');
    expect(got.body).toEqual(res.body);
  });

  it('shows the s390 gmap type from memLimit, and the bits its ASCE reaches', async () => {
    const res = await t.api.post('/v1/vms').send({ name: 's', arch: 's390', s390: { memLimit: '0x40000000000' } });
    expect(res.status, res.text).toBe(201);
    expectDocumented(res, 'createVm');
    expect(res.body).toMatchObject({
      arch: 's390',
      kernel: '7.4',
      host: { hpage: false, hpage2g: false, maxStorage: '0x40000000000' },
      s390: { hpage1m: false, hpage2g: false, memLimit: '0x40000000000', asceType: 'region3' },
      guestPhysBits: 42,
      preFaultAllowed: true,
    });
    const ucontrol = await t.api.post('/v1/vms').send({ name: 'u', arch: 's390', type: 'ucontrol' });
    expectDocumented(ucontrol, 'createVm');
    expect(ucontrol.body).toMatchObject({ type: 'ucontrol', s390: { asceType: null }, preFaultAllowed: false });
  });

  it.each([
    [{ arch: 'x86', host: { granule: '4K' } }, 'host.granule'],
    [{ host: { hpage: true } }, 'host.hpage'],
    [{ arm64: { ipaBits: 40 } }, 'arm64'],
    [{ arch: 'x86', type: 'ucontrol' }, 'type'],
    [{ arch: 'arm64', host: { vendor: 'amd' } }, 'host.vendor'],
    [{ arch: 'arm64', s390: { hpage1m: false } }, 's390'],
    [{ arch: 'arm64', tdxGpaw: 48 }, 'tdxGpaw'],
    [{ arch: 'arm64', prefaultPolicy: 'switch-root-mmu' }, 'prefaultPolicy'],
    [{ arch: 'arm64', quirksDisabled: ['SLOT_ZAP_ALL'] }, 'quirksDisabled'],
    [{ arch: 'arm64', kernel: '6.18' }, 'kernel'],
    [{ arch: 'arm64', type: 'ucontrol' }, 'type'],
    [{ arch: 'arm64', host: { ipaLimit: 36 } }, 'arm64.ipaBits'],
    [{ arch: 'arm64', host: { ipaLimit: 52 } }, 'host.ipaLimit'],
    [{ arch: 's390', host: { maxPhysAddr: 46 } }, 'host.maxPhysAddr'],
    [{ arch: 's390', kernel: '7.1', host: { hpage: true, hpage2g: true } }, 'host.hpage2g'],
    [{ arch: 's390', s390: { hpage1m: true } }, 's390.hpage1m'],
    [{ arch: 's390', s390: { memLimit: '0x1000' } }, 's390.memLimit'],
  ])('refuses %j with a 400 naming %s, and creates nothing', async (body, field) => {
    const before = t.app.liveVms.count;
    const res = await t.api.post('/v1/vms').send({ name: 'bad', ...body });
    await expect400(res, field);
    expectDocumented(res, 'createVm');
    expect(t.app.liveVms.count).toBe(before);
  });

  it('lists every VM with its arch', async () => {
    const arm = await createVm({ name: 'listed-arm', arch: 'arm64' });
    const s390 = await createVm({ name: 'listed-s390', arch: 's390' });
    const x86 = await createVm({ name: 'listed-x86' });
    const listed = await t.api.get('/v1/vms?limit=1000');
    expectDocumented(listed, 'listVms');
    const arch = (id: string) => listed.body.vms.find((v: { id: string }) => v.id === id)?.arch;
    expect([arch(arm), arch(s390), arch(x86)]).toEqual(['arm64', 's390', 'x86']);
  });
});

describe('vCPUs of each arch', () => {
  it('takes the arm64 vCPU fields and refuses x86 ones, and the reverse', async () => {
    const arm = await createVm({ name: 'v-arm', arch: 'arm64', host: { nestedVirt: true } });
    await expect400(await vcpu(arm, { id: 0, maxPhysAddr: 40 }), 'maxPhysAddr');
    const x86 = await createVm({ name: 'v-x86' });
    const refused = await vcpu(x86, { id: 0, initialized: true });
    await expect400(refused, 'initialized');
    expectDocumented(refused, 'createVcpu');
    const made = await vcpu(arm, { id: 1, el2: true, lastRanNested: true });
    expect(made.status, made.text).toBe(201);
    expectDocumented(made, 'createVcpu');
    expect(made.body).toMatchObject({ id: 1, initialized: true, el2: true, lastRanNested: true, mmu: { kind: 's2-nested', rootRole: null } });
    const listed = await t.api.get(`/v1/vms/${arm}/vcpus`);
    expectDocumented(listed, 'listVcpus');
    expect(listed.body.vcpus).toEqual([made.body]);
  });

  it('answers ENOEXEC for a vCPU without KVM_ARM_VCPU_INIT, until a PATCH initialises it; there is no un-init (409)', async () => {
    const arm = await createVm({ name: 'init', arch: 'arm64' });
    expect((await put(arm, 0, 0, { guestPhysAddr: '0x0', size: '0x200000' })).body.ret).toBe(0);
    expect((await vcpu(arm, { id: 0, initialized: false })).status).toBe(201);
    const refused = await preFault(arm, { gpa: '0x0', size: '0x1000' });
    expectDocumented(refused, 'preFault');
    expect(refused.body).toMatchObject({ ret: -8, errno: 'ENOEXEC', iterations: [], root: null, mapped: [] });
    const patched = await t.api.patch(`/v1/vms/${arm}/vcpus/0`).send({ initialized: true });
    expectDocumented(patched, 'patchVcpu');
    expect(patched.body.initialized).toBe(true);
    expect((await preFault(arm, { gpa: '0x0', size: '0x1000' })).body.ret).toBe(0);
    const uninit = await t.api.patch(`/v1/vms/${arm}/vcpus/0`).send({ initialized: false });
    expect(uninit.status).toBe(409);
    expectDocumented(uninit, 'patchVcpu');
  });

  it('gives an s390 vCPU the gmap; x86 and arm64 vCPU fields are 400s', async () => {
    const s = await createVm({ name: 'v-s390', arch: 's390' });
    await expect400(await vcpu(s, { id: 0, smm: true }), 'smm');
    await expect400(await vcpu(s, { id: 0, el2: false }), 'el2');
    const made = await vcpu(s, { id: 0 });
    expectDocumented(made, 'createVcpu');
    expect(made.body).toEqual({ id: 0, mmu: { kind: 'gmap', rootRole: null }, loadedRoot: 'gmap-0' });
  });
});

/** The same calls on an engine VM directly, to compare with what HTTP answers. */
function arm64Engine(): Arm64Vm {
  const vm = new Arm64Vm({ name: 'direct', host: { granule: '64K' } });
  vm.setMemslot(0, 0, { guestPhysAddr: '0x0', size: '0x40000000', backing: { pageSize: '512M' } });
  vm.setMemslot(0, 1, { guestPhysAddr: '0x40000000', size: '0x100000', backing: { hwpoison: ['0x40010000'] } });
  vm.createVcpu({ id: 0 });
  return vm;
}

describe('pre-fault, capability and page tables on arm64', () => {
  let id = '';
  it('answers a pre-fault exactly as the arm64 engine does (64K granule: 512M blocks, EHWPOISON, 64K alignment)', async () => {
    id = await createVm({ name: 'pf-arm', arch: 'arm64', host: { granule: '64K' } });
    expect((await put(id, 0, 0, { guestPhysAddr: '0x0', size: '0x40000000', backing: { pageSize: '512M' } })).body.ret).toBe(0);
    const poisoned = await put(id, 0, 1, { guestPhysAddr: '0x40000000', size: '0x100000', backing: { hwpoison: ['0x40010000'] } });
    expectDocumented(poisoned, 'putMemslot');
    expect(poisoned.body.memslot.backing).toEqual({ pageSize: '64K', hugetlb: false, hwpoison: ['0x40010000'], writable: true, mapped: true });
    expect((await vcpu(id, { id: 0 })).status).toBe(201);
    const engine = arm64Engine();
    for (const req of [
      { gpa: '0x0', size: '0x40000000' },
      { gpa: '0x1000', size: '0x1000' },
      { gpa: '0x40000000', size: '0x20000' },
      { gpa: '0x80000000', size: '0x10000' },
      { gpa: '0x0', size: '0x10000', inject: { invalidationRaces: 0 } },
    ]) {
      const res = await preFault(id, req);
      expect(res.status, res.text).toBe(200);
      expectDocumented(res, 'preFault');
      expect(res.body).toEqual(engine.preFault(0, { flags: '0x0', ...req }));
    }
  });

  it('reads the canonical stage-2 back: roots, mappings and a walk decoding each level', async () => {
    const engine = arm64Engine();
    engine.preFault(0, { gpa: '0x0', size: '0x40000000' });
    engine.preFault(0, { gpa: '0x40000000', size: '0x20000' });
    const roots = await t.api.get(`/v1/vms/${id}/roots`);
    expectDocumented(roots, 'listRoots');
    expect(roots.body.roots).toEqual(engine.roots());
    expect(roots.body.roots[0]).toMatchObject({ kind: 's2-canonical', granule: '64K', counts: { '512M': 2, '64K': 1 } });
    const mappings = await t.api.get(`/v1/vms/${id}/roots/s2-0/mappings`);
    expectDocumented(mappings, 'listMappings');
    expect(mappings.body).toEqual({ mappings: engine.mappings(), nextCursor: null });
    const page = await t.api.get(`/v1/vms/${id}/roots/s2-0/mappings?limit=1`);
    expect(page.body).toEqual({ mappings: engine.mappings().slice(0, 1), nextCursor: engine.mappings()[1]!.gpa });
    const walk = await t.api.get(`/v1/vms/${id}/roots/s2-0/walk?gpa=0x20000000`);
    expectDocumented(walk, 'walkRoot');
    expect(walk.body).toEqual(engine.walk('s2-0', '0x20000000'));
    expect(walk.body.steps.map((s: { lookupLevel: number }) => s.lookupLevel)).toEqual([2]);
    expect(walk.body.leafLevel).toBe('512M');
    expect((await t.api.get(`/v1/vms/${id}/roots/nope/walk?gpa=0x0`)).status).toBe(404);
  });

  it('keeps the memslot mirror rows of an arm64 VM, as of an x86 one (vCPUs have no mirror row)', async () => {
    const rows = await queryRows<{ slot: number; backing: string }>(
      t.databaseUrl,
      'SELECT "slot", "backing" FROM "Memslot" WHERE "vmId" = ? ORDER BY "slot"',
      id,
    );
    expect(rows.map((r) => [r.slot, JSON.parse(r.backing).pageSize])).toEqual([
      [0, '512M'],
      [1, '64K'],
    ]);
  });

  it('has one address space: memslots/1 answers EINVAL', async () => {
    const res = await put(id, 1, 0, { guestPhysAddr: '0x80000000', size: '0x10000' });
    expectDocumented(res, 'putMemslot');
    expect(res.body).toMatchObject({ ret: -22, errno: 'EINVAL', memslot: null });
  });

  it.each([
    ['7.4', false, 1],
    ['7.3', false, 0],
    ['7.4', true, 0],
  ])('reads KVM_CAP_PRE_FAULT_MEMORY on kernel %s, pkvm %s, as %i', async (kernel, pkvm, cap) => {
    const vm = await createVm({ name: 'cap', arch: 'arm64', kernel, host: { pkvm } });
    const res = await t.api.get(`/v1/vms/${vm}/capabilities`);
    expectDocumented(res, 'getCapabilities');
    expect(res.body).toEqual({ KVM_CAP_PRE_FAULT_MEMORY: cap });
    expect((await t.api.get(`/v1/vms/${vm}`)).body.preFaultAllowed).toBe(cap === 1);
  });

  it('answers EINVAL before 7.4: the ioctl does not exist', async () => {
    const vm = await createVm({ name: 'old', arch: 'arm64', kernel: '7.3' });
    await vcpu(vm, { id: 0 });
    const res = await preFault(vm, { gpa: '0x0', size: '0x1000' });
    expectDocumented(res, 'preFault');
    expect(res.body).toMatchObject({ ret: -22, errno: 'EINVAL', range: { gpa: '0x0', size: '0x1000', flags: '0x0' }, iterations: [], root: null });
  });

  it('refuses what is not modelled on arm64 (finalize, memory attributes, guest access) with a 400, and x86 fields in a call', async () => {
    expect((await t.api.post(`/v1/vms/${id}/finalize`)).status).toBe(400);
    expect((await t.api.put(`/v1/vms/${id}/memory-attributes`).send({ address: '0x0', size: '0x10000', private: true })).status).toBe(400);
    expect((await t.api.post(`/v1/vms/${id}/vcpus/0/access`).send({ gpa: '0x0', kind: 'read' })).status).toBe(400);
    await expect400(await t.api.patch(`/v1/vms/${id}/vcpus/0`).send({ smm: true }), 'smm');
    // Tracepoints are x86's mmutrace.h events.
    const seq = (await t.api.get(`/v1/vms/${id}/operations?limit=100`)).body.operations.find((e: { kind: string }) => e.kind === 'pre_fault').seq;
    const trace = await t.api.get(`/v1/vms/${id}/operations/${seq}/trace`);
    expect(trace.status, trace.text).toBe(400);
    expectDocumented(trace, 'getOperationTrace');
  });

  it('refuses arm64/s390 inputs on an x86 VM, naming them', async () => {
    const x86 = await createVm({ name: 'x' });
    await expect400(await put(x86, 0, 0, { guestPhysAddr: '0x0', size: '0x10000', backing: { pageSize: '64K' } }), 'backing.pageSize');
    // backing.hwpoison and inject.invalidationRaces are x86 inputs too (contract v2): test/http/x86-v2-inputs.test.ts.
    await vcpu(x86, { id: 0 });
    await expect400(await t.api.patch(`/v1/vms/${x86}/vcpus/0`).send({ initialized: true }), 'initialized');
  });

  it('marks an arm64 VM dead (kvm_vm_dead): every ioctl answers EIO from then on', async () => {
    const vm = await createVm({ name: 'dead', arch: 'arm64' });
    await vcpu(vm, { id: 0 });
    const dead = await t.api.post(`/v1/vms/${vm}/mark-dead`);
    expectDocumented(dead, 'markVmDead');
    expect(dead.body).toMatchObject({ arch: 'arm64', dead: true });
    const res = await preFault(vm, { gpa: '0x0', size: '0x1000' });
    expect(res.body).toMatchObject({ ret: -5, errno: 'EIO', iterations: [] });
  });
});

describe('pre-fault and the gmap on s390', () => {
  it('answers as the s390 engine does: 1M segment leaves with the capability, ENOENT past the slot', async () => {
    const config = { host: { hpage: true }, s390: { hpage1m: true } };
    const id = await createVm({ name: 'pf-s390', arch: 's390', ...config });
    const slot = { guestPhysAddr: '0x0', size: '0x400000', backing: { pageSize: '1M' as const } };
    expect((await put(id, 0, 0, slot)).body.ret).toBe(0);
    expect((await vcpu(id, { id: 0 })).status).toBe(201);
    const engine = new S390Vm({ name: 'direct', ...config });
    engine.setMemslot(0, 0, slot);
    engine.createVcpu(0);
    for (const req of [
      { gpa: '0x0', size: '0x200000' },
      { gpa: '0x0', size: '0x1000' },
      { gpa: '0x300000', size: '0x200000' },
    ]) {
      const res = await preFault(id, req);
      expectDocumented(res, 'preFault');
      expect(res.body).toEqual(engine.preFault(0, { flags: '0x0', ...req }));
    }
    const roots = await t.api.get(`/v1/vms/${id}/roots`);
    expectDocumented(roots, 'listRoots');
    expect(roots.body.roots).toEqual(engine.roots());
    const walk = await t.api.get(`/v1/vms/${id}/roots/gmap-0/walk?gpa=0x100000`);
    expectDocumented(walk, 'walkRoot');
    expect(walk.body).toEqual(engine.walk('0x100000'));
    expect(walk.body.leafLevel).toBe('1M');
    const mappings = await t.api.get(`/v1/vms/${id}/roots/gmap-0/mappings`);
    expectDocumented(mappings, 'listMappings');
    expect(mappings.body.mappings).toEqual(engine.mappings());
  });

  it('answers EINVAL on a ucontrol VM with one ERROR row, ENOTTY before 7.2, and the capability per kernel', async () => {
    const u = await createVm({ name: 'uc', arch: 's390', type: 'ucontrol' });
    await vcpu(u, { id: 0 });
    const refused = await preFault(u, { gpa: '0x0', size: '0x1000' });
    expectDocumented(refused, 'preFault');
    expect(refused.body).toMatchObject({ ret: -22, errno: 'EINVAL', root: null });
    expect(refused.body.iterations).toHaveLength(1);
    expect((await t.api.get(`/v1/vms/${u}/capabilities`)).body).toEqual({ KVM_CAP_PRE_FAULT_MEMORY: 1 });
    const old = await createVm({ name: 'old-s390', arch: 's390', kernel: '7.1' });
    await vcpu(old, { id: 0 });
    expect((await preFault(old, { gpa: '0x0', size: '0x1000' })).body).toMatchObject({ ret: -25, errno: 'ENOTTY' });
    expect((await t.api.get(`/v1/vms/${old}/capabilities`)).body).toEqual({ KVM_CAP_PRE_FAULT_MEMORY: 0 });
  });
});

describe('a restart replays arm64 and s390 VMs to the same page tables', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    removeTempDirs();
  });

  /** Every root with its mappings and a walk of each probe address. */
  async function tables(api: TestApp['api'], id: string, probes: string[]): Promise<unknown> {
    const roots = (await api.get(`/v1/vms/${id}/roots`)).body.roots as { id: string }[];
    return Promise.all(
      roots.map(async (r) => ({
        root: r,
        mappings: (await api.get(`/v1/vms/${id}/roots/${r.id}/mappings`)).body,
        walks: await Promise.all(probes.map(async (gpa) => (await api.get(`/v1/vms/${id}/roots/${r.id}/walk?gpa=${gpa}`)).body)),
      })),
    );
  }

  it.each([{ workers: 0 }, { workers: 1 }])('gives identical VMs, roots, mappings and walks (%j)', async ({ workers }) => {
    const first = await build({ workers });
    apps.push(first);
    const api = first.api;
    const arm = await createVm({ name: 'r-arm', arch: 'arm64', host: { nestedVirt: true, granule: '16K' } }, api);
    await put(arm, 0, 0, { guestPhysAddr: '0x0', size: '0x4000000', backing: { pageSize: '32M' } }, api);
    await put(arm, 0, 1, { guestPhysAddr: '0x4000000', size: '0x100000', flags: ['log_dirty_pages'] }, api);
    await vcpu(arm, { id: 0 }, api);
    await vcpu(arm, { id: 1, el2: true, lastRanNested: true }, api);
    await preFault(arm, { gpa: '0x0', size: '0x4100000' }, 1, api);
    const s = await createVm({ name: 'r-s390', arch: 's390', host: { hpage: true }, s390: { hpage1m: true, memLimit: '0x80000000' } }, api);
    await put(s, 0, 0, { guestPhysAddr: '0x0', size: '0x800000', backing: { pageSize: '1M' } }, api);
    await vcpu(s, { id: 0 }, api);
    await preFault(s, { gpa: '0x0', size: '0x300000' }, 0, api);
    await preFault(s, { gpa: '0x500000', size: '0x3000' }, 0, api);
    const armProbes = ['0x0', '0x2004000', '0x4000000', '0x4004000'];
    const s390Probes = ['0x0', '0x200000', '0x501000'];
    const before = {
      vms: [(await api.get(`/v1/vms/${arm}`)).body, (await api.get(`/v1/vms/${s}`)).body],
      vcpus: (await api.get(`/v1/vms/${arm}/vcpus`)).body,
      memslots: [(await api.get(`/v1/vms/${arm}/memslots`)).body, (await api.get(`/v1/vms/${s}/memslots`)).body],
      arm: await tables(api, arm, armProbes),
      s390: await tables(api, s, s390Probes),
    };
    expect(JSON.stringify(before.arm)).toContain('"s2-nested"');
    await first.close();
    apps.pop();
    const second = await build({ databaseUrl: first.databaseUrl, workers });
    apps.push(second);
    const again = second.api;
    const after = {
      vms: [(await again.get(`/v1/vms/${arm}`)).body, (await again.get(`/v1/vms/${s}`)).body],
      vcpus: (await again.get(`/v1/vms/${arm}/vcpus`)).body,
      memslots: [(await again.get(`/v1/vms/${arm}/memslots`)).body, (await again.get(`/v1/vms/${s}/memslots`)).body],
      arm: await tables(again, arm, armProbes),
      s390: await tables(again, s, s390Probes),
    };
    expect(after).toEqual(before);
    const log = await again.get(`/v1/vms/${arm}/operations`);
    expectDocumented(log, 'listOperations');
    expect(log.body.operations.map((e: { kind: string }) => e.kind)).toEqual([
      'set_memslot',
      'set_memslot',
      'create_vcpu',
      'create_vcpu',
      'pre_fault',
    ]);
  });
});

describe('export and import of arm64 and s390 VMs in the neutral format', () => {
  async function exported(id: string): Promise<Record<string, unknown>> {
    const res = await t.api.get(`/v1/vms/${id}/export`);
    expect(res.status, res.text).toBe(200);
    expectDocumented(res, 'exportVm');
    return res.body;
  }

  it.each([
    [
      'arm64',
      { arch: 'arm64', host: { granule: '16K', nestedVirt: true, cacheDic: true }, arm64: { ipaBits: 36 } },
      [
        { guestPhysAddr: '0x0', size: '0x4000000', backing: { pageSize: '32M' } },
        { guestPhysAddr: '0x4000000', size: '0x100000', backing: { hwpoison: ['0x4008000'] } },
      ],
      [
        { id: 0, initialized: false },
        { id: 1, el2: true, lastRanNested: true },
      ],
    ],
    [
      's390',
      { arch: 's390', host: { hpage: true }, s390: { hpage1m: true, memLimit: '0x80000000' } },
      [{ guestPhysAddr: '0x0', size: '0x800000', backing: { pageSize: '1M' } }],
      [{ id: 0 }],
    ],
  ])('exports a %s VM with its fields, and imports it back to the same answers, roots and mappings', async (arch, config, slots, vcpus) => {
    const id = await createVm({ name: `exp-${arch}`, ...config });
    for (const [i, slot] of slots.entries()) expect((await put(id, 0, i, slot)).body.ret).toBe(0);
    for (const v of vcpus) expect((await vcpu(id, v)).status).toBe(201);
    const last = vcpus[vcpus.length - 1]!.id;
    await preFault(id, { gpa: '0x0', size: '0x4100000', inject: { invalidationRaces: 2 } }, last);
    await preFault(id, { gpa: '0x0', size: '0x4000' }, 0);
    if (arch === 'arm64') await t.api.patch(`/v1/vms/${id}/vcpus/0`).send({ initialized: true });
    await preFault(id, { gpa: '0x4000000', size: '0x10000' }, 0);
    await put(id, 0, 0, { guestPhysAddr: '0x0', size: '0x0' });
    const scenario = await exported(id);
    expect(scenario).toMatchObject({ arch, kernel: { min: '7.4', max: '7.4' } });
    if (arch === 'arm64') {
      expect(scenario.host).toMatchObject({ granule: '16K', nested_virt: true, cache_dic: true });
      expect(scenario.vm).toMatchObject({ ipa_bits: 36 });
      expect(scenario.vcpus).toEqual([
        { id: 0, initialized: false, el2: false, last_ran_nested: false },
        { id: 1, initialized: true, el2: true, last_ran_nested: true },
      ]);
      expect(JSON.stringify(scenario.steps)).toContain('"op":"set_vcpu_state"');
      expect(JSON.stringify(scenario.steps)).toContain('"fsc":"TRANSLATION_L');
      expect(JSON.stringify(scenario)).toContain('"arch_bits":{"mem_attr":6');
    } else {
      expect(scenario.vm).toMatchObject({ hpage_1m: true, mem_limit: '0x80000000' });
    }
    const imported = await t.api.post('/v1/vms/import').send(scenario);
    expect(imported.status, imported.text).toBe(201);
    expectDocumented(imported, 'importVm');
    expect(imported.body.differing).toEqual([]);
    expect(imported.body.vm).toMatchObject({ arch, [arch]: (await t.api.get(`/v1/vms/${id}`)).body[arch] });
    const again = await exported(imported.body.vm.id);
    const { id: _a, name: _b, description: _c, ...rest } = again;
    const { id: _d, name: _e, description: _f, ...original } = scenario;
    expect(rest).toEqual(original);
  });

  it('reports a step whose arch_bits differ from what the replay installs', async () => {
    const id = await createVm({ name: 'bits', arch: 'arm64' });
    await put(id, 0, 0, { guestPhysAddr: '0x0', size: '0x200000' });
    await vcpu(id, { id: 0 });
    await preFault(id, { gpa: '0x0', size: '0x1000' });
    const scenario = (await exported(id)) as { steps: { op: string; expect: { mappings_added: { arch_bits: { xn: boolean } }[] } }[] };
    const step = scenario.steps.find((s) => s.op === 'pre_fault')!;
    step.expect.mappings_added[0]!.arch_bits.xn = false;
    const imported = await t.api.post('/v1/vms/import').send(scenario);
    expect(imported.body.differing).toHaveLength(1);
    expect(imported.body.differing[0].differences[0]).toContain('mappings_added row 0');
  });
});

// The scenario runner's Driver over HTTP: every operation goes through the service's
// routes, validation, queue and operation log, exactly as a client's call would.
import { expect } from 'vitest';
import type { MappingRow, Operation } from '../../src/sim/index.js';
import type { TestApp } from '../helpers/build.js';
import type { Driver } from './runner.js';

/** Method, path and body of the route that stands for an engine operation. */
function route(vm: string, op: Operation): [method: 'post' | 'put' | 'patch' | 'delete', path: string, body?: object] {
  const base = `/v1/vms/${vm}`;
  switch (op.op) {
    case 'create_vcpu':
      return ['post', `${base}/vcpus`, op.vcpu];
    case 'set_vcpu_mode':
      return ['patch', `${base}/vcpus/${op.vcpuId}`, op.patch];
    case 'set_memslot':
      return ['put', `${base}/memslots/${op.addressSpace}/${op.slot}`, op.region];
    case 'delete_memslot':
      return ['delete', `${base}/memslots/${op.addressSpace}/${op.slot}`];
    case 'set_memory_attributes':
      return ['put', `${base}/memory-attributes`, { address: op.address, size: op.size, private: op.private }];
    case 'finalize':
      return ['post', `${base}/finalize`];
    case 'mark_dead':
      return ['post', `${base}/mark-dead`];
    case 'pre_fault': {
      const { op: _op, vcpuId, ...body } = op;
      return ['post', `${base}/vcpus/${vcpuId}/pre-fault`, body];
    }
    case 'access':
      return ['post', `${base}/vcpus/${op.vcpuId}/access`, { gpa: op.gpa, kind: op.kind }];
  }
}

export function httpDriver(t: TestApp): Driver {
  let vmId = '';
  return {
    async createVm(config) {
      const res = await t.api.post('/v1/vms').send(config);
      expect(res.status, res.text).toBe(201);
      vmId = res.body.id;
    },
    async apply(op) {
      const [method, path, body] = route(vmId, op);
      const req = t.api[method](path);
      const res = body ? await req.send(body) : await req;
      expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
      return res.body;
    },
    async roots() {
      const res = await t.api.get(`/v1/vms/${vmId}/roots`);
      expect(res.status, res.text).toBe(200);
      return res.body.roots;
    },
    async mappings(rootId, from, to) {
      const rows: MappingRow[] = [];
      let cursor: string | undefined;
      do {
        const query = new URLSearchParams({ limit: '500', ...(from ? { from } : {}), ...(to ? { to } : {}), ...(cursor ? { cursor } : {}) });
        const res = await t.api.get(`/v1/vms/${vmId}/roots/${rootId}/mappings?${query}`);
        expect(res.status, res.text).toBe(200);
        rows.push(...res.body.mappings);
        cursor = res.body.nextCursor ?? undefined;
      } while (cursor);
      return rows;
    },
    async capability() {
      const res = await t.api.get(`/v1/vms/${vmId}/capabilities`);
      return res.body.KVM_CAP_PRE_FAULT_MEMORY;
    },
  };
}

// openapi.yaml describes the engine's defaults and ranges; the engine applies them. These
// tests read both and require them to agree, so neither can drift alone.
import { describe, expect, it } from 'vitest';
import { dereference, loadOpenApiDocument, type JsonSchema } from '../../src/contract/openapi-document.js';
import { DEFAULT_PAGE_LIMIT } from '../../src/service/list-page.js';
import { createVm, SimError, withVmDefaults, type HostConfig, type VcpuSpec, type VmConfigInput } from '../../src/sim/index.js';

const { document } = loadOpenApiDocument();
const schema = (name: string): JsonSchema => dereference(document, document.components!.schemas![name]) as JsonSchema;
const properties = (name: string) => schema(name).properties as Record<string, JsonSchema>;
const defaultsOf = (name: string) =>
  Object.fromEntries(Object.entries(properties(name)).flatMap(([key, p]) => (p.default === undefined ? [] : [[key, p.default]])));

/** The engine's answer to a value: accepted, or refused with SimError 'invalid' naming the field. */
function accepts(run: () => unknown, field: string): boolean {
  try {
    run();
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(SimError);
    expect((error as SimError).field).toBe(field);
    return false;
  }
}

/** The engine accepts exactly [minimum, maximum] of the document's range (checked at and just past both ends). */
function expectRange(property: JsonSchema, field: string, run: (value: number) => unknown): void {
  const min = property.minimum as number;
  const max = property.maximum as number;
  expect(typeof min).toBe('number');
  expect(typeof max).toBe('number');
  expect([min - 1, min, max, max + 1].map((v) => accepts(() => run(v), field))).toEqual([false, true, true, false]);
}

const filled = withVmDefaults({ name: 'defaults' });
const newVcpu = (spec: VcpuSpec, host: VmConfigInput['host'] = {}) => {
  const vm = createVm(withVmDefaults({ name: 'vcpu', host }));
  vm.apply({ op: 'create_vcpu', vcpu: spec });
  return vm.vcpu(spec.id);
};

describe("openapi.yaml's defaults are the engine's", () => {
  it('host knobs', () => {
    const documented = defaultsOf('HostConfigInput');
    expect(Object.keys(documented).sort()).toEqual(Object.keys(filled.host).sort());
    expect(documented).toEqual(filled.host satisfies HostConfig);
  });

  it('VM type, kernel, policy and disabled quirks', () => {
    expect(defaultsOf('VmCreate')).toEqual({
      type: filled.type,
      kernel: filled.kernel,
      prefaultPolicy: filled.prefaultPolicy,
      quirksDisabled: filled.quirksDisabled,
    });
  });

  it('vCPU mode', () => {
    const documented = defaultsOf('VcpuCreate');
    const vcpu = newVcpu({ id: 0 });
    expect(Object.keys(documented).sort()).toEqual(['guestMode', 'maxPhysAddr', 'nestedTdp', 'smm']);
    for (const [key, value] of Object.entries(documented)) expect(vcpu[key as keyof typeof vcpu], key).toEqual(value);
  });

  it('page size of listings', () => {
    const limit = (document.components!.parameters!.Limit as { schema: JsonSchema }).schema;
    expect(limit.default).toBe(DEFAULT_PAGE_LIMIT);
  });
});

describe("openapi.yaml's ranges are the engine's", () => {
  it('host maxPhysAddr', () => {
    // Above 48 bits needs a 5-level host; the range is the engine's on such a host.
    expectRange(properties('HostConfigInput').maxPhysAddr!, 'host.maxPhysAddr', (v) =>
      withVmDefaults({ name: 'r', host: { maxTdpLevel: 5, maxPhysAddr: v } }),
    );
  });

  it('vCPU id and maxPhysAddr at creation', () => {
    expectRange(properties('VcpuCreate').id!, 'id', (v) => newVcpu({ id: v }));
    expectRange(properties('VcpuCreate').maxPhysAddr!, 'maxPhysAddr', (v) => newVcpu({ id: 0, maxPhysAddr: v }, { maxTdpLevel: 5, maxPhysAddr: 52 }));
  });

  it('vCPU maxPhysAddr in a mode change', () => {
    const vm = createVm(withVmDefaults({ name: 'patch', host: { maxTdpLevel: 5, maxPhysAddr: 52 } }), { maxVcpus: 1 });
    vm.apply({ op: 'create_vcpu', vcpu: { id: 0 } });
    expectRange(properties('VcpuPatch').maxPhysAddr!, 'maxPhysAddr', (v) => vm.apply({ op: 'set_vcpu_mode', vcpuId: 0, patch: { maxPhysAddr: v } }));
  });
});

// Swagger UI is built at the first request under /docs. A build that fails (here the UI
// plugin throws once) answers that request with a problem and is not kept: the next one
// builds it again and gets the page.
import { describe, expect, it, vi } from 'vitest';
import { useTestApp } from '../helpers/build.js';

const failures = vi.hoisted(() => ({ left: 1 }));
vi.mock('@fastify/swagger-ui', async (importOriginal) => {
  const real = (await importOriginal<typeof import('@fastify/swagger-ui')>()).default;
  const flaky = async (...args: Parameters<typeof real>) => {
    if (failures.left > 0) {
      failures.left -= 1;
      throw new Error('swagger-ui failed to load');
    }
    return real(...args);
  };
  return { default: Object.assign(flaky, { [Symbol.for('skip-override')]: true }) };
});

const t = useTestApp();

describe('Swagger UI after a failed first build', () => {
  it('the failed request gets a 500 problem, the next request gets the page', async () => {
    const first = await t.api.get('/docs/json');
    expect(first.status).toBe(500);
    expect(first.headers['content-type']).toMatch(/^application\/problem\+json/);
    const second = await t.api.get('/docs/json');
    expect(second.status).toBe(200);
    expect(second.body.openapi).toMatch(/^3\.1/);
    expect(failures.left).toBe(0);
  });
});

// Lab grading reads each session VM's whole log on the main thread, so it reads at most
// LAB_LOG_CAP (10,000) entries: past that, checking the session is a 409 that says to reset,
// and the teacher's view still answers (that session's predictions ungraded).
import { describe, expect, it } from 'vitest';
import { preFaultOperation } from '../../src/operations/requests.js';
import { useTestApp } from '../helpers/build.js';
import { expectDocumented } from '../helpers/openapi.js';

const t = useTestApp();

describe('lab grading reads a bounded log', () => {
  it('answers 409 past 10,000 log entries on a session VM, and the teacher view still answers', async () => {
    const started = await t.api.post('/v1/labs/six-roots/sessions').send({ student: 'looper' });
    expect(started.status, started.text).toBe(201);
    const { sessionId, vms } = started.body as { sessionId: string; vms: { vmId: string }[] };
    const check = () => t.api.get(`/v1/labs/six-roots/sessions/${sessionId}/check`);
    expect((await check()).status).toBe(200);

    // Each a logged EINVAL (size 0): cheap, and every one is an entry of the VM's log.
    const vmId = vms[0]!.vmId;
    const op = preFaultOperation(0, { gpa: '0x0', size: 0 } as never);
    // 200 at a time: under the per-VM queue bound (256).
    for (let sent = 0; sent < 10_001; sent += 200)
      await Promise.all(Array.from({ length: Math.min(200, 10_001 - sent) }, () => t.app.liveVms.execute(vmId, op)));

    const refused = await check();
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.detail).toMatch(/grading reads at most 10000: reset the session/);
    expectDocumented(refused, 'checkLabSession');
    expect((await t.api.get('/v1/teacher/progress')).status).toBe(200);
  });
});

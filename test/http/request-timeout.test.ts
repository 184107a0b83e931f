// A client that sends its request slowly (a byte at a time: never idle, never done) is cut
// off once REQUEST_TIMEOUT_MS has passed: 408 problem+json, and the connection closed, for
// a slow body and for slow headers alike, and so is a connection that sends nothing. A
// prompt request on the same server still works.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/build.js';

const t = useTestApp({ requestTimeoutMs: 500 });
let port = 0;

beforeAll(async () => {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as AddressInfo).port;
});

/** Sends `head`, then one byte of `drip` every 50 ms; resolves with all the server wrote once it closes the connection. */
function dripRequest(head: string, drip: string): Promise<{ answer: string; sentAll: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    socket.write(head);
    const timer = setInterval(() => {
      if (sent < drip.length && !socket.destroyed) socket.write(drip[sent++]!);
    }, 50);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', () => undefined); // a reset after the answer is still a cut-off
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, sentAll: sent === drip.length });
    });
    socket.setTimeout(20_000, () => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error(`the server held the connection; it wrote: ${answer}`));
    });
  });
}

function expectTimeoutProblem({ answer, sentAll }: { answer: string; sentAll: boolean }): void {
  expect(sentAll, answer).toBe(false); // cut off while the client was still sending
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  expect(answer).toMatch(/content-type: application\/problem\+json/i);
  const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
  expect(body).toMatchObject({ type: 'urn:prefault-lab:problem:request-timeout', status: 408 });
}

describe('REQUEST_TIMEOUT_MS', () => {
  it('cuts off a client dripping its body', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(150) });
    const head = `POST /v1/vms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    expectTimeoutProblem(await dripRequest(head, body));
  });

  it('cuts off a client dripping its headers', async () => {
    expectTimeoutProblem(await dripRequest('GET /healthz HTTP/1.1\r\n', `Host: x\r\nX-Slow: ${'y'.repeat(150)}\r\n\r\n`));
  });

  it('closes a connection that sends nothing at all', async () => {
    const { answer } = await dripRequest('', '');
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('leaves a prompt request alone', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/vms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'prompt' }),
    });
    expect(res.status).toBe(201);
  });
});

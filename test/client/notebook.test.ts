// examples/notebook.py, the curl tour for notebook users (Python standard library only), run
// with python3 against a listening server: its exit status and the lines it prints.
import { execFile, spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { useTestApp } from '../helpers/build.js';

const NOTEBOOK = fileURLToPath(new URL('../../examples/notebook.py', import.meta.url));
const hasPython = spawnSync('python3', ['--version']).status === 0;
const ctx = useTestApp();

it('examples/notebook.py walks the tour and sees its answers', async ({ skip }) => {
  skip(!hasPython, 'python3 is not installed: examples/notebook.py not run');
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
  // Asynchronous: the server answering the script runs in this process.
  const { stdout } = await promisify(execFile)('python3', [NOTEBOOK, url]);
  expect(stdout).toContain(`prefault-lab at ${url}`);
  expect(stdout).toMatch(/^ok {4}3\. pre-fault 2 MiB: ret 0, iterations 512 x FIXED 4K; mapped 0x3fffffc00000 \+0x200000 as 512 x 4K$/m);
  expect(stdout).toMatch(/^ok {4}4\. size 0: HTTP 200, ret -22, errno EINVAL$/m);
  expect(stdout).toMatch(/^ok {4}6\. gpa -1: HTTP 400, field gpa: /m);
  expect(stdout).not.toContain('WRONG');
  expect(stdout).toMatch(/the tour's answers, as described\n$/);
});

it('examples/notebook.py exits 1 when the server cannot be reached', async ({ skip }) => {
  skip(!hasPython, 'python3 is not installed: examples/notebook.py not run');
  const run = promisify(execFile)('python3', [NOTEBOOK, 'http://127.0.0.1:1']);
  await expect(run).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('cannot reach http://127.0.0.1:1') });
});

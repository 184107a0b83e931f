// npm run lab:check: a teacher's lab file is valid and its solution passes, or the command
// fails saying why (the bundled labs pass; a malformed one and one that cannot be passed do not).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'prefault-lab-labcheck-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm run lab:check <args>` as a teacher types it in the project folder; exit code and output. */
async function labCheck(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'lab:check', ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const hugePages = readFileSync(join(ROOT, 'labs/04-huge-pages.yaml'), 'utf8');
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('npm run lab:check', () => {
  it('passes every bundled lab, and a single file named without --', async () => {
    const labs = readdirSync(join(ROOT, 'labs')).filter((f) => f.endsWith('.yaml'));
    const all = await labCheck('--', ...labs.map((f) => `labs/${f}`));
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.trim().split('\n')).toHaveLength(labs.length);
    expect(all.stdout).toMatch(/^ok {3}labs\/04-huge-pages\.yaml: lab huge-pages, 7 tasks/m);
    const one = await labCheck('labs/04-huge-pages.yaml');
    expect(one.code, one.stderr).toBe(0);
  });

  it('fails a file that is not a lab, naming what is wrong', async () => {
    const res = await labCheck(write('broken.yaml', 'id: broken\ntitle: no goal, no tasks\n'));
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/FAIL .*broken\.yaml:\n {2}- lab broken\.yaml: does not match the lab schema: .*goal/);
  });

  it('fails a valid lab whose solution does not pass, or whose check passes before any call', async () => {
    const wrong = write('wrong.yaml', hugePages.replace('equals: 2\n', 'equals: 3\n'));
    const res = await labCheck(wrong);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('task 1: after its calls, its leafCount check on VM vm fails: ');
    const idle = await labCheck(write('idle.yaml', hugePages.replace('equals: 2\n', 'equals: 0\n')));
    expect(idle.code).toBe(1);
    expect(idle.stderr).toContain('task 1: its leafCount check passes before any call (it grades nothing)');
  });

  it('says how to call it when no file is given', async () => {
    const res = await labCheck();
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/usage: npm run lab:check/);
  });
});

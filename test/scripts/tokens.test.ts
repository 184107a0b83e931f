// npm run tokens: a class's token file, read back by the server's own config loader.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { hashToken } from '../../src/service/token-hash.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'prefault-lab-tokens-'));
  dirs.push(dir);
  return dir;
}

/** `npm run tokens -- ...args` as a teacher types it, from `cwd`; exit code and output. */
async function tokens(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', '--prefix', ROOT, 'tokens', '--', ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const tokenLines = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('npm run tokens', () => {
  it('writes one random 32-byte hex token a line, named from the roster, where the server reads names back', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'roster.txt'), '# 3B\nAda Lovelace\n\nGrace "Amazing" Hopper, RADM\n');
    const res = await tokens(dir, '3', '--names', 'roster.txt');
    expect(res.code, res.stderr).toBe(0);
    const file = join(dir, 'tokens.txt');
    expect(res.stdout).toContain(file);
    expect(res.stdout).toContain(`API_TOKENS_FILE=${file}`);
    expect(statSync(file).mode & 0o077).toBe(0);
    const lines = tokenLines(readFileSync(file, 'utf8'));
    expect(lines).toHaveLength(3);
    const ts = lines.map((l) => l.split(' ')[0]!);
    for (const token of ts) expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(ts).size).toBe(3);
    const config = loadConfig({ API_TOKENS_FILE: file });
    expect(config.apiTokenHashes.sort()).toEqual(ts.map(hashToken).sort());
    expect(config.tokenNames).toEqual(
      new Map([
        [hashToken(ts[0]!), 'Ada Lovelace'],
        [hashToken(ts[1]!), 'Grace "Amazing" Hopper, RADM'],
      ]),
    );

    const teacher = await tokens(dir, '1', '--teachers');
    expect(teacher.code, teacher.stderr).toBe(0);
    const teacherFile = join(dir, 'teacher-tokens.txt');
    expect(teacher.stdout).toContain(`API_TOKENS_FILE=${file} TEACHER_TOKENS_FILE=${teacherFile} npm start`);
    const [teacherToken] = tokenLines(readFileSync(teacherFile, 'utf8'));
    expect(loadConfig({ TEACHER_TOKENS_FILE: teacherFile }).teacherTokenHashes).toEqual([hashToken(teacherToken!)]);
  });

  it('refuses to overwrite a file unless --force, and a roster longer than the count', async () => {
    const dir = tempDir();
    const out = join(dir, 'class.txt');
    writeFileSync(out, 'keep me\n');
    const refused = await tokens(dir, '2', '--out', 'class.txt');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/exists.*--force/);
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');
    expect((await tokens(dir, '2', '--out', 'class.txt', '--force')).code).toBe(0);
    expect(tokenLines(readFileSync(out, 'utf8'))).toHaveLength(2);

    writeFileSync(join(dir, 'roster.txt'), 'a\nb\nc\n');
    const short = await tokens(dir, '2', '--names', 'roster.txt', '--out', 'other.txt');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/3 names/);
    // No count: one token per name.
    expect((await tokens(dir, '--names', 'roster.txt', '--out', 'other.txt')).code).toBe(0);
    expect(tokenLines(readFileSync(join(dir, 'other.txt'), 'utf8')).map((l) => l.slice(65))).toEqual(['a', 'b', 'c']);
  });
});

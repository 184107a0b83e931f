// Writes a token file for a class (npm run tokens -- 30 --names roster.txt): one random
// token a line (32 bytes, hex), followed by the name on the same line of the roster when
// there is one, the `token name…` format API_TOKENS_FILE and TEACHER_TOKENS_FILE read
// (src/config.ts). The file is a secret: it is written readable by its owner only, and an
// existing file is kept unless --force.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `usage: npm run tokens -- [count] [--names roster.txt] [--teachers] [--out file] [--force]
  count       how many tokens (default: one per name of the roster)
  --names     a roster, one name a line (blank lines and # comments skipped): token i gets name i
  --teachers  teachers' tokens (TEACHER_TOKENS_FILE): written to teacher-tokens.txt by default
  --out       the file to write (default tokens.txt, or teacher-tokens.txt with --teachers)
  --force     overwrite the file if it exists`;

class UsageError extends Error {}

/** The roster's names, in order: one a line, trimmed; blank lines and # comments skipped. */
function rosterNames(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function tokenCount(arg: string | undefined, names: string[] | undefined): number {
  if (arg === undefined) {
    if (names === undefined) throw new UsageError('say how many tokens, or give a roster with --names');
    return names.length;
  }
  const count = Number(arg);
  if (!Number.isSafeInteger(count) || count < 1 || count > 100_000)
    throw new UsageError(`count must be an integer from 1 to 100000, got ${JSON.stringify(arg)}`);
  if (names !== undefined && names.length > count)
    throw new UsageError(`the roster has ${names.length} names, more than the ${count} tokens asked for: ask for ${names.length} or more`);
  return count;
}

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      names: { type: 'string' },
      teachers: { type: 'boolean' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length > 1) throw new UsageError(`one count at most, got ${positionals.join(' ')}`);
  // npm runs scripts in the package's folder; paths are the caller's, relative to where npm was run.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const names = values.names === undefined ? undefined : rosterNames(readFileSync(resolve(cwd, values.names), 'utf8'));
  const count = tokenCount(positionals[0], names);
  const students = resolve(cwd, 'tokens.txt');
  const teachers = resolve(cwd, 'teacher-tokens.txt');
  const out = values.out !== undefined ? resolve(cwd, values.out) : values.teachers ? teachers : students;
  const lines = Array.from({ length: count }, (_, i) => {
    const token = randomBytes(32).toString('hex');
    const name = names?.[i];
    return name === undefined ? token : `${token} ${name}`;
  });
  const variable = values.teachers ? 'TEACHER_TOKENS_FILE' : 'API_TOKENS_FILE';
  const text = `# prefault-lab ${values.teachers ? "teachers'" : "students'"} tokens (${variable}): token name…; keep this file secret\n${lines.join('\n')}\n`;
  try {
    writeFileSync(out, text, { mode: 0o600, flag: values.force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${out} exists: pick another --out, or overwrite it with --force`);
    throw error;
  }
  console.log(`wrote ${count} tokens${names ? ` (${names.length} named)` : ''} to ${out}`);
  const [studentFile, teacherFile] = values.teachers ? [students, out] : [out, teachers];
  console.log(`hand each ${values.teachers ? 'teacher' : 'student'} the token on their line; start the server (in prefault-lab's folder) with:`);
  console.log(`  API_TOKENS_FILE=${studentFile} TEACHER_TOKENS_FILE=${teacherFile} npm start`);
  if (!values.teachers) console.log(`(the teacher's own token: npm run tokens -- 1 --teachers)`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError || (error as NodeJS.ErrnoException).code !== undefined)) throw error;
  console.error(`tokens: ${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}

// npm run lab:check -- labs/x.yaml [more.yaml ...]: validates each lab file as the server
// would load it and plays its solution on the engine (src/labs/lab-check.ts), so a teacher
// knows a lab can be passed before students see it. Exit 0: every file is fine; 1: a file
// is invalid or its solution does not pass (each problem printed); 2: no file given.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { checkLab } from '../src/labs/lab-check.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npm run lab:check -- <lab.yaml> [more.yaml ...]   (for example: npm run lab:check -- labs/*.yaml)');
  process.exit(2);
}

let failed = 0;
for (const file of files) {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    console.error(`FAIL ${file}: cannot read it: ${(error as Error).message}`);
    failed++;
    continue;
  }
  const { lab, problems } = checkLab(source, basename(file));
  if (problems.length === 0) {
    console.log(`ok   ${file}: lab ${lab!.id}, ${lab!.tasks.length} tasks; valid, and its solution passes every check`);
    continue;
  }
  failed++;
  console.error(`FAIL ${file}:`);
  for (const p of problems) console.error(`  - ${p}`);
}
if (failed > 0) {
  console.error(`${failed} of ${files.length} lab file${files.length === 1 ? '' : 's'} failed`);
  process.exit(1);
}

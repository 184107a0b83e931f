#!/usr/bin/env node
// Compiles src/**/*.ts to dist/ (npm run build; run by postinstall, and by npm start when a
// source is newer than the last build): one JavaScript file per TypeScript file, same
// folders (src/db/migrate.ts -> dist/db/migrate.js), so every path the code resolves from
// import.meta.url (openapi.yaml, prisma/migrations, public/, labs/) is found from dist as
// from src. esbuild only strips types; `npm run typecheck` is what checks them. The shipped
// YAML (openapi.yaml, labs/*.yaml) is also stored parsed in dist/yaml-cache.json (see
// src/contract/parse-yaml.ts), the lab schema compiled in dist/labs/lab-validator.cjs,
// every route's request validators in dist/contract/request-validators-*.cjs, and the keys
// of the shipped labs that pass every check in dist/labs/checked-labs.json.
//   node scripts/build.mjs             build
//   node scripts/build.mjs --if-stale  build only if a source (src/, openapi.yaml, labs/) is newer than the last build
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, ROOT, SRC, STAMP, YAML_FILES, distIsStale, sources } from './dist-files.mjs';

/** Each YAML file parsed, as JSON text keyed by the sha256 of its YAML text; only those JSON holds exactly. */
async function yamlCache() {
  const { parse } = await import('yaml');
  const cache = {};
  for (const file of YAML_FILES) {
    const text = readFileSync(file, 'utf8');
    const parsed = parse(text);
    if (isDeepStrictEqual(JSON.parse(JSON.stringify(parsed)), parsed))
      cache[createHash('sha256').update(text).digest('hex')] = JSON.stringify(parsed);
  }
  return cache;
}

/** The lab schema's validator as Ajv standalone code (src/labs/catalogue.ts loads it from dist). */
async function labValidator(dist) {
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const { default: standaloneCode } = await import('ajv/dist/standalone/index.js');
  const { LAB_AJV_OPTIONS, LAB_SCHEMA } = await import(pathToFileURL(join(dist, 'labs/lab-schema.js')).href);
  const ajv = new Ajv2020({ ...LAB_AJV_OPTIONS, code: { source: true } });
  return standaloneCode(ajv, ajv.compile(LAB_SCHEMA));
}

/** Every route's request validators as Ajv standalone code (src/contract/precompiled-validators.ts loads them from dist). */
async function writeRequestValidators(dist) {
  const contract = (file) => import(pathToFileURL(join(dist, 'contract', file)).href);
  const { loadOpenApiDocument } = await contract('openapi-document.js');
  const { precompileValidators } = await contract('precompile-validators.js');
  for (const [file, code] of Object.entries(precompileValidators(loadOpenApiDocument().document))) writeFileSync(join(dist, 'contract', file), code);
}

/** The keys of the shipped labs that pass every check of the compiled catalogue (src/labs/catalogue.ts does not check them again at start). */
async function checkedLabs(dist) {
  const { LABS_DIR, labCheckKey, parseLab } = await import(pathToFileURL(join(dist, 'labs/catalogue.js')).href);
  const keys = [];
  for (const file of readdirSync(LABS_DIR).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))) {
    const text = readFileSync(join(LABS_DIR, file), 'utf8');
    try {
      parseLab(text, file);
      keys.push(labCheckKey(text));
    } catch {
      // Not recorded: the server checks it at start and refuses to start, naming the error.
    }
  }
  return keys;
}

const files = sources();
if (process.argv.includes('--if-stale') && !distIsStale(files)) process.exit(0);
const t0 = performance.now();
// Imported only when building: the check above is all a run with --if-stale does otherwise.
const { build } = await import('esbuild');
// Built beside dist/ and swapped in at the end, so a server starting meanwhile (several
// `npm start` after a pull) never loads a half-written dist/.
const next = `${DIST}.building-${process.pid}`;
rmSync(next, { recursive: true, force: true });
await build({
  entryPoints: files,
  outdir: next,
  outbase: SRC,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
writeFileSync(join(next, 'yaml-cache.json'), JSON.stringify(await yamlCache()));
writeFileSync(join(next, 'labs/lab-validator.cjs'), await labValidator(next));
await writeRequestValidators(next);
writeFileSync(join(next, 'labs/checked-labs.json'), JSON.stringify(await checkedLabs(next)));
writeFileSync(join(next, '.built'), '');
rmSync(DIST, { recursive: true, force: true });
try {
  renameSync(next, DIST);
} catch (error) {
  // Another build swapped its dist/ in between: same sources, keep that one.
  if (!existsSync(STAMP)) throw error;
  rmSync(next, { recursive: true, force: true });
}
console.log(`built ${files.length} files from ${relative(ROOT, SRC)}/ into ${relative(ROOT, DIST)}/ in ${Math.round(performance.now() - t0)} ms`);

// What dist/ is built from and whether it is older than its sources: shared by the build
// (scripts/build.mjs) and the launcher (scripts/start.mjs), which checks it on every start.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SRC = join(ROOT, 'src');
const LABS = join(ROOT, 'labs');
export const YAML_FILES = [
  join(ROOT, 'openapi.yaml'),
  ...readdirSync(LABS)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(LABS, f)),
];
export const DIST = join(ROOT, 'dist');
/** Written last: its time is the build's, and its absence means no complete build. */
export const STAMP = join(DIST, '.built');

/** Every TypeScript source under `dir`. */
export function sources(dir = SRC) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

function dirs(dir) {
  return [dir, ...readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? dirs(join(dir, e.name)) : []))];
}

/** True when there is no complete build, or a source (src/, openapi.yaml, labs/) is newer than it. */
export function distIsStale(files = sources()) {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  // A newer or added file changes its own mtime; a deleted one changes its folder's.
  return [...files, ...YAML_FILES, ...dirs(SRC), LABS].some((f) => statSync(f).mtimeMs > built);
}

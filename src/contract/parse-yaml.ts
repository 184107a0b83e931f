// YAML parsing, with the build's snapshot first. Parsing openapi.yaml and the labs would be a
// large part of a start's CPU time (the yaml package is thorough, not fast, and slow to load), so
// scripts/build.mjs stores each shipped YAML file already parsed in dist/yaml-cache.json,
// as JSON text keyed by a hash of its YAML text. Run from dist, a text found there is read
// as JSON; an edited file (no longer matching) or a run from src (no cache beside it) is
// parsed as usual, and only then is the yaml package loaded.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const CACHE_PATH = fileURLToPath(new URL('../yaml-cache.json', import.meta.url));

/** The key of a text in the cache (scripts/build.mjs computes the same). */
const keyOf = (text: string): string => createHash('sha256').update(text).digest('hex');

let cache: Record<string, string> | null | undefined;

export function parseYaml(text: string): unknown {
  cache ??= existsSync(CACHE_PATH) ? (JSON.parse(readFileSync(CACHE_PATH, 'utf8')) as Record<string, string>) : null;
  const json = cache?.[keyOf(text)];
  // Parsed for each caller, so no two share (and could mutate) one object.
  if (json !== undefined) return JSON.parse(json);
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.parse(text);
}

// YAML parsing, with the build's snapshot first. Parsing openapi.yaml and the labs is the
// largest part of a start's CPU time (the yaml package is thorough, not fast), so
// scripts/build.mjs stores each shipped YAML file already parsed in dist/yaml-cache.json,
// keyed by a hash of its text. Run from dist, a text found there is read as JSON; an edited
// file (no longer matching) or a run from src (no cache beside it) is parsed as usual.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const CACHE_PATH = fileURLToPath(new URL('../yaml-cache.json', import.meta.url));

/** The key of a text in the cache (scripts/build.mjs computes the same). */
const keyOf = (text: string): string => createHash('sha256').update(text).digest('hex');

let cache: Record<string, unknown> | null | undefined;

export function parseYaml(text: string): unknown {
  cache ??= existsSync(CACHE_PATH) ? (JSON.parse(readFileSync(CACHE_PATH, 'utf8')) as Record<string, unknown>) : null;
  if (cache !== null) {
    const parsed = cache[keyOf(text)];
    // A copy each time, so no two callers share (and could mutate) one object.
    if (parsed !== undefined) return structuredClone(parsed);
  }
  return parse(text);
}

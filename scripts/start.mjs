#!/usr/bin/env node
// npm start: rebuilds dist/ when a source is newer than the last build (scripts/build.mjs,
// in a child process, only then), and runs the compiled server in this same process. One
// Node start instead of a checking process and then the server's, and this process is npm's
// own child (`exec`), so npm's SIGTERM and SIGINT reach the server's handlers.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, ROOT, distIsStale } from './dist-files.mjs';

if (distIsStale()) execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
await import(pathToFileURL(join(DIST, 'server.js')).href);

// Plain-JS entry of an engine worker. The service runs its TypeScript through tsx, but a
// worker thread does not inherit tsx's loader hooks (node 20 reports "Unknown file
// extension .ts" even with --import tsx in execArgv), under tsx and under vitest alike:
// so the worker registers tsx in its own thread, then loads the TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./engine-worker.ts');

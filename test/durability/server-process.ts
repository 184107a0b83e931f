// The real server (src/server.ts under Node with the tsx loader: one process, so a signal
// reaches the server itself) on a given SQLite file (migrated here) or PostgreSQL URL (the
// server migrates it) and a free port (or env.PORT), for the durability and cluster tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '../../src/db/migrate.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the server printed (pino JSON lines). */
  output: () => string;
}

/**
 * `launch` 'npm start' runs the server as users do (compiled, through npm): then `child` is
 * the npm process.
 */
export async function startServer(database: string, env: Record<string, string> = {}, launch: 'tsx' | 'npm start' = 'tsx'): Promise<ServerProcess> {
  const postgres = database.startsWith('postgres');
  if (!postgres) applyMigrations(database);
  const [command, args] = launch === 'tsx' ? [process.execPath, ['--import', 'tsx', 'src/server.ts']] : ['npm', ['start', '--silent']];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: postgres ? database : `file:${database}`, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a half-started server behind a failed test
      reject(new Error(`server did not start within 90 s:\n${output}`));
    }, 90_000);
    const look = () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', look);
    void exited.then(() => reject(new Error(`server exited while starting:\n${output}`)));
  });
  await waitReady(baseUrl);
  return { child, baseUrl, exited, output: () => output };
}

/** Polls /readyz until the VMs are rebuilt. */
async function waitReady(baseUrl: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const res = await fetch(`${baseUrl}/readyz`).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('server never became ready');
}

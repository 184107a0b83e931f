// The process entry: build the app on DATABASE_URL, listen on HOST:PORT, and on SIGTERM or
// SIGINT stop accepting, let in-flight calls finish and commit, then close the database.
import { build } from './app.js';
import { DEFAULT_DATABASE_URL } from './db/prisma.js';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;

const app = await build({ databaseUrl, logger: { level: process.env.LOG_LEVEL ?? 'info' } });

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) process.exit(1); // a second signal: stop waiting
    closing = true;
    app.log.info({ signal }, 'closing');
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        app.log.error({ err: error }, 'close failed');
        process.exit(1);
      },
    );
  });
}

try {
  await app.listen({ port, host });
} catch (error) {
  app.log.error({ err: error }, 'could not start');
  process.exit(1);
}

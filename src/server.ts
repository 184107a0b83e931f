// The process entry: read the environment (src/config.ts), build the app, listen on
// HOST:PORT. On SIGTERM or SIGINT: stop accepting connections, let in-flight calls finish
// and answer, commit the last group of log entries, close the database, exit 0. A second
// signal, or SHUTDOWN_TIMEOUT_MS passing, exits 1 at once (acknowledged calls are already
// committed; only unanswered ones can be lost).
import { build } from './app.js';
import { ConfigError, loadConfig, type ServiceConfig } from './config.js';

let config: ServiceConfig;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`prefault-lab: ${error.message}`);
  process.exit(2);
}

// The store is migrated when the app opens it (db/open-store.ts), whichever database it is.
// TEST_SIGSTOP_IN_GROUP_ON_GPA: a test's hook across the process boundary (the cluster
// failover test stops an instance inside its group transaction); never a setting.
const stopInGroupOnGpa = process.env.TEST_SIGSTOP_IN_GROUP_ON_GPA?.trim();
const app = await build(config, stopInGroupOnGpa ? { stopInGroupOnGpa } : {});

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) process.exit(1); // a second signal: stop waiting
    closing = true;
    app.log.info({ signal }, 'closing');
    setTimeout(() => {
      app.log.error({ timeoutMs: config.shutdownTimeoutMs }, 'closing took too long');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    app.close().then(
      () => {
        app.log.info('closed');
        process.exit(0);
      },
      (error: Error) => {
        app.log.error({ err: error }, 'close failed');
        process.exit(1);
      },
    );
  });
}

try {
  await app.listen({ port: config.port, host: config.host });
} catch (error) {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
    app.log.error(
      `port ${config.port} on ${config.host} is in use: stop the other server or pick another port, e.g. PORT=${config.port + 1} npm start`,
    );
  else app.log.error({ err: error }, 'could not start');
  process.exit(1);
}

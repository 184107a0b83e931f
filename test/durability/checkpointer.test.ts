// WAL checkpoints run in the worker thread: after enough committed entries the rows reach
// the database file itself (not only the -wal file), and closing stops the worker cleanly.
import { statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Checkpointer } from '../../src/db/checkpointer.js';
import type { LogEntryWrite } from '../../src/db/log-writer.js';
import { SqliteLogWriter } from '../../src/db/sqlite-log-writer.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { openSqlite } from '../../src/db/sqlite.js';
import { withVmDefaults } from '../../src/sim/index.js';
import { removeTempDirs, tempDbFile } from '../helpers/build.js';

afterAll(removeTempDirs);

describe('checkpointer', () => {
  it('copies the WAL into the database file off the event loop', async () => {
    const dbFile = tempDbFile();
    applyMigrations(dbFile);
    const errors: string[] = [];
    const writer = new SqliteLogWriter(openSqlite(`file:${dbFile}`, 'NORMAL'), new Checkpointer(dbFile, (m) => errors.push(m)));
    writer.insertVm({ id: 'vm', config: withVmDefaults({ name: 'cp' }), createdAt: new Date(), owner: null });
    const before = statSync(dbFile).size;
    let seq = 0;
    for (let group = 0; group < 100; group++) {
      const entries: LogEntryWrite[] = Array.from({ length: 25 }, () => ({
        vmId: 'vm',
        seq: ++seq,
        op: { op: 'finalize' },
        resultJson: JSON.stringify({ ret: 0, errno: null, padding: 'x'.repeat(200) }),
        projection: {},
      }));
      await writer.commit(entries, new Date());
    }
    for (let i = 0; i < 100 && statSync(dbFile).size <= before; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statSync(dbFile).size).toBeGreaterThan(before);
    await writer.close();
    expect(errors).toEqual([]);
  });
});

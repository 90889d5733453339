/**
 * One embedded Temporal server per database (issue 17): a second server on the same database
 * refuses to start, naming the one that runs; once that one has stopped, it starts. A server on
 * another database is not affected.
 */
import { Client as PgClient } from 'pg';
import { Connection } from '@temporalio/client';
import { SERVER_LOCK_KEY } from '../../embedded-temporal/store/server-lock';
import { createLogger } from '../../core/logger';
import { startEmbeddedTemporal, type RunningTemporal } from '../../embedded-temporal';
import { createEmptyDatabase } from '../support/databases';

const logger = createLogger('silent');
const running: RunningTemporal[] = [];
afterAll(async () => {
  for (const server of running) await server.stop();
});

test('a second embedded Temporal server on the same database refuses to start with a clear message', async () => {
  const database = await createEmptyDatabase('tlock');
  const first = await startEmbeddedTemporal({ databaseUrl: database, port: 0, logger });
  running.push(first);
  const refusal = await startEmbeddedTemporal({ databaseUrl: database, port: 0, logger, lockWaitMs: 500 }).then(
    (second) => {
      running.push(second);
      return 'started';
    },
    (error: unknown) => error as Error,
  );
  expect(refusal).toBeInstanceOf(Error);
  const message = (refusal as Error).message;
  expect(message).toMatch(/^another embedded Temporal server already runs on database "tlock_[0-9a-f]+": /);
  // The holder is named: this process (both ran here) and its PostgreSQL session.
  expect(message).toContain(`embedded Temporal pid ${process.pid}`);
  expect(message).toMatch(/PostgreSQL session \d+/);
  expect(message).toMatch(/TEMPORAL_ADDRESS/);
  // The first one is untouched.
  const connection = await Connection.connect({ address: first.address });
  expect((await connection.workflowService.getSystemInfo({})).serverVersion).toBeDefined();
  await connection.close();

  // Another database: no conflict.
  const other = await startEmbeddedTemporal({ databaseUrl: await createEmptyDatabase('tlock'), port: 0, logger });
  running.push(other);

  // Once the first has stopped, a server starts on its database.
  await first.stop();
  running.splice(running.indexOf(first), 1);
  const next = await startEmbeddedTemporal({ databaseUrl: database, port: 0, logger, lockWaitMs: 500 });
  running.push(next);
});

/** The PostgreSQL session holding the server lock on this database, if any. */
async function lockHolderPid(client: PgClient): Promise<number | undefined> {
  const { rows } = await client.query<{ pid: number }>(
    `SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objid = $1
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [SERVER_LOCK_KEY],
  );
  return rows[0]?.pid;
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('the lock is taken again when its connection drops; if another server took it, this one stops serving', async () => {
  const database = await createEmptyDatabase('tlock');
  const server = await startEmbeddedTemporal({ databaseUrl: database, port: 0, logger });
  running.push(server);
  const admin = new PgClient({ connectionString: database });
  await admin.connect();
  try {
    // The lock's session is ended (as by a PostgreSQL restart or an administrator): taken again on a new one.
    const first = await until('the lock held', () => lockHolderPid(admin));
    await admin.query('SELECT pg_terminate_backend($1)', [first]);
    const second = await until('the lock held again', async () => {
      const pid = await lockHolderPid(admin);
      return pid !== undefined && pid !== first ? pid : undefined;
    });
    expect(second).not.toBe(first);
    await expect(startEmbeddedTemporal({ databaseUrl: database, port: 0, logger, lockWaitMs: 300 })).rejects.toThrow(
      /another embedded Temporal server already runs/,
    );
    const connection = await Connection.connect({ address: server.address });
    expect((await connection.workflowService.getSystemInfo({})).serverVersion).toBeDefined();

    // Ended again while no new session may connect, and meanwhile another holder takes the lock: the server stops serving.
    const name = (await admin.query<{ db: string }>('SELECT current_database() AS db')).rows[0].db;
    const outside = new PgClient({ connectionString: process.env.TEST_PG_ADMIN_URL });
    await outside.connect();
    await outside.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend($1)', [second]);
    await until('the lock free', async () => ((await lockHolderPid(admin)) === undefined ? true : undefined));
    await admin.query('SELECT pg_advisory_lock($1)', [SERVER_LOCK_KEY]);
    await outside.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    await outside.end();
    await until('the server to stop answering', () =>
      connection.workflowService.getSystemInfo({}).then(
        () => undefined,
        () => true,
      ),
    );
    await connection.close();
  } finally {
    await admin.end();
  }
}, 60_000);

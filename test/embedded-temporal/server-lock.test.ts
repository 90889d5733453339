/**
 * One embedded Temporal server per database (issue 17): a second server on the same database
 * refuses to start, naming the one that runs; once that one has stopped, it starts. A server on
 * another database is not affected.
 */
import { Connection } from '@temporalio/client';
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

import { resolve } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createEmptyDatabase } from './databases';

/** Absolute path of the project's own Temporal-compatible server executable. */
export const TEMPORAL_SERVER_BIN: string = resolve(__dirname, '../../embedded-temporal/bin/temporal-server');

/** Environment variable the server reads for its database when no --database-url flag is given. */
export const TEMPORAL_DATABASE_ENV = 'CHIS_TEMPORAL_DATABASE_URL';

/**
 * A Temporal environment for tests: the embedded server (fresh database each call) unless
 * TEMPORAL_ADDRESS is set, in which case the tests run against that existing server.
 */
export async function createTestTemporalEnv(opts?: { timeSkipping?: boolean }): Promise<TestWorkflowEnvironment> {
  const address = process.env.TEMPORAL_ADDRESS;
  if (address) {
    return TestWorkflowEnvironment.createFromExistingServer({
      address,
      namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    });
  }
  // A flag rather than the environment (which the spawned server would also read): environments
  // created concurrently in one process must not swap databases.
  const extraArgs = ['--database-url', await createEmptyDatabase('temporal')];
  const executable = { type: 'existing-path' as const, path: TEMPORAL_SERVER_BIN };
  if (opts?.timeSkipping) {
    return TestWorkflowEnvironment.createTimeSkipping({ server: { executable, extraArgs } });
  }
  return TestWorkflowEnvironment.createLocal({ server: { executable, extraArgs } });
}

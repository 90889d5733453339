/**
 * What the catalogue activity implementations need from the process that hosts them (the
 * engine worker in `npm start`, the test stack in tests). Built once at start-up.
 */
import type { Client } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import type { PdsClient } from '../pds/client';
import type { ProcessOutbox } from '../engine-client/process-outbox';

export interface CatalogueDeps {
  sequelize: Sequelize;
  /** Starts and signals process instances (message publishing from activities). */
  client?: Client;
  /** Task queue of the engine worker (for instances started from activities). */
  taskQueue: string;
  /** The national demographics service (the FHIR adapter; the local simulator by default). */
  pds?: PdsClient;
  /**
   * Tells the outbox relay of this process that a row was written, so it sends at once instead
   * of at its next poll. notify.* activities never deliver themselves (no process waits on SMTP).
   */
  wakeOutboxRelay?: () => void;
  /** Delivers the process outbox rows activities write (default: delivery through `client`). */
  outbox?: ProcessOutbox;
}

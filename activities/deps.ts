/**
 * What the catalogue activity implementations need from the process that hosts them (the
 * engine worker in `npm start`, the test stack in tests). Built once at start-up.
 */
import type { Client } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import type { PdsClient } from '../pds/client';
import type { MailService } from '../mail/delivery';

export interface CatalogueDeps {
  sequelize: Sequelize;
  /** Starts and signals process instances (message publishing from activities). */
  client?: Client;
  /** Task queue of the engine worker (for instances started from activities). */
  taskQueue: string;
  /** The national demographics service (the FHIR adapter; the local simulator by default). */
  pds?: PdsClient;
  /**
   * Email delivery (mail/): notify.* activities deliver the outbox row they wrote right away.
   * Absent: they only enqueue, and the outbox relay delivers.
   */
  mail?: MailService;
}

import type { Client } from '@temporalio/client';
import type { AuthConfig } from '../core/config';
import type { ProcessOutbox } from '../engine-client/process-outbox';
import type { Db } from '../records/sql';
import type { TaskCompleter } from './tasks/task-completer';

/** What the case-work routes need from the running system. */
export interface CaseWorkDependencies {
  db: Db;
  auth: AuthConfig;
  /** Completion of a human task: the workflow engine's update in production. */
  taskCompleter: TaskCompleter;
  /** Starts, signals and queries process instances; routes that need it answer 503 without it. */
  engine?: {
    client: Client;
    taskQueue: string;
    /** Delivers the process outbox's rows the routes write (default: delivery through `client`). */
    outbox?: ProcessOutbox;
  };
  /** How long a request waits for task listeners before answering 504 (config.taskListenerWaitMs). */
  taskListenerWaitMs: number;
  /** False when mail goes to SMTP_URL: there is no local mailbox and the mailbox routes answer 404. */
  localMailbox?: boolean;
  /** Injected so tests can fix "today" for the due-today queue. */
  now?: () => Date;
}

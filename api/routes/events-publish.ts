/** Moved: the relay is workers/process-outbox-relay.ts; kept for system/start-system.ts until the composition root (issue 12). */
import type { Logger } from '../../core/logger';
import { processOutbox, type EngineConnection } from '../../engine-client/process-outbox';
import type { Db } from '../../records/sql';
import { startProcessOutboxRelay, type ProcessOutboxRelay } from '../../workers/process-outbox-relay';

export function startInboundEventRelay(o: {
  db: Db;
  engine: EngineConnection;
  logger: Logger;
  intervalMs?: number;
  graceMs?: number;
}): ProcessOutboxRelay {
  return startProcessOutboxRelay({ ...o, outbox: processOutbox(o.db, o.engine) });
}

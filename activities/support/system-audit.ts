/** Audit rows written by a process rather than a person: no user id or source IP. */
import { processActor, type ProcessActor } from '../../records/actor';
import { writeAudit, type AuditEntry } from '../../records/audit';
import type { Db } from '../../records/sql';

/** The shape notify.* still passes (`actor` is the name); records operations take a ProcessActor. */
interface NamedActor {
  actor: string;
  processInstanceId: string | null;
}

/** The process instance, when there is one, leads the detail; `e.detail` may add to it. Returns the row id. */
export function auditBySystem(db: Db, who: ProcessActor | NamedActor, e: AuditEntry): Promise<string> {
  return writeAudit(db, 'kind' in who ? who : processActor(who.actor, who.processInstanceId), e);
}

/** A look-up of a patient on PDS (the national demographics service), audited against the child's record when we hold one. */
import type { ProcessActor } from '../actor';
import { writeAudit } from '../audit';
import type { Db } from '../sql';
import { childIdOfNhsNumber } from './child-rows';

export async function auditPdsLookup(db: Db, actor: ProcessActor, nhsNumber: string, found: boolean): Promise<void> {
  await writeAudit(db, actor, {
    action: 'pds.lookup',
    entityType: 'pds_patient',
    entityId: nhsNumber,
    childId: await childIdOfNhsNumber(db, nhsNumber),
    detail: { found },
  });
}

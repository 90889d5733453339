/** child.getRecord: the facts a process needs about the child, read once and audited. */
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityOutput } from '../catalogue';
import { selectOne, type Db } from '../../db/repositories/sql';
import { auditBySystem, systemActorOfInstance } from '../support';

interface Row {
  id: string;
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: 'male' | 'female' | 'indeterminate' | 'unknown';
  postcode: string;
  locality: string;
  localityId: number;
  gpPracticeOds: string | null;
  status: 'active' | 'moved_out' | 'deceased';
  safeguardingAlert: 'none' | 'concern' | 'child_protection_plan' | 'looked_after';
  openConcerns: string;
}

export async function getRecord(
  db: Db,
  by: { childId?: string; nhsNumber?: string },
): Promise<ActivityOutput<'child.getRecord'>> {
  const row = await selectOne<Row>(
    db,
    `SELECT c.id, c.nhs_number, c.given_name, c.family_name, c.date_of_birth::text AS date_of_birth, c.sex, c.postcode, l.code AS locality,
            c.locality_id, c.gp_practice_ods, c.status, c.safeguarding_alert,
            (SELECT count(*) FROM safeguarding_concerns s WHERE s.child_id = c.id AND s.status <> 'closed') AS open_concerns
     FROM children c JOIN localities l ON l.id = c.locality_id
     WHERE ($1::bigint IS NOT NULL AND c.id = $1) OR ($1::bigint IS NULL AND c.nhs_number = $2)`,
    [by.childId ?? null, by.nhsNumber ?? null],
  );
  if (!row)
    throw ApplicationFailure.nonRetryable(
      `child.getRecord: no child record for ${by.childId ? `id ${by.childId}` : `NHS number ${by.nhsNumber}`}`,
      'NotFoundError',
    );
  await auditBySystem(db, await systemActorOfInstance(db), {
    action: 'child.read',
    entityType: 'child',
    entityId: row.nhsNumber,
    childId: row.id,
  });
  return {
    childId: row.id,
    nhsNumber: row.nhsNumber,
    initials: `${row.givenName.charAt(0)}${row.familyName.charAt(0)}`.toUpperCase(),
    dateOfBirth: row.dateOfBirth,
    sex: row.sex,
    postcode: row.postcode,
    locality: row.locality,
    localityId: row.localityId,
    gpPracticeCode: row.gpPracticeOds,
    status: row.status,
    safeguardingAlert: row.safeguardingAlert,
    openConcerns: Number(row.openConcerns),
  };
}

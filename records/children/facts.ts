/**
 * What a process needs to know about a child: responsible locality, GP practice, safeguarding
 * state. Read inside the operations that audit them (a move assessed, a transfer completed), or
 * through readChildForProcess, which audits the read itself.
 */
import type { ProcessActor } from '../actor';
import { writeAudit } from '../audit';
import { openConcernCount } from '../concerns/rows';
import { notFound } from '../errors';
import { selectOne, type Db } from '../sql';
import type { SafeguardingAlert } from './child-rows';

export interface ChildFacts {
  childId: string;
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: 'male' | 'female' | 'indeterminate' | 'unknown';
  postcode: string;
  status: 'active' | 'moved_out' | 'deceased';
  localityId: number;
  localityCode: string;
  localityName: string;
  gpPracticeOds: string | null;
  safeguardingAlert: SafeguardingAlert;
  openConcerns: number;
}

const CHILD = `SELECT c.id AS child_id, c.nhs_number, c.given_name, c.family_name, c.date_of_birth::text AS date_of_birth, c.sex,
    c.postcode, c.status, c.locality_id, l.code AS locality_code, l.name AS locality_name, c.gp_practice_ods, c.safeguarding_alert
  FROM children c JOIN localities l ON l.id = c.locality_id`;

/**
 * A process keeps the record id and NHS number it started with: after a merge (./merge.ts) the
 * merged record's id leads to the surviving record (child_merges), and so does a superseded number.
 */
const BY_ID_OR_MERGED_ID = `COALESCE((SELECT into_child_id FROM child_merges WHERE merged_child_id = $1::bigint), $1::bigint)`;

async function withConcerns(db: Db, row: Omit<ChildFacts, 'openConcerns'> | null): Promise<ChildFacts | null> {
  return row ? { ...row, openConcerns: await openConcernCount(db, row.childId) } : null;
}

/** `lock` holds the row until the end of the caller's transaction. */
export async function childFactsById(db: Db, childId: string, lock = false): Promise<ChildFacts | null> {
  return withConcerns(
    db,
    await selectOne<Omit<ChildFacts, 'openConcerns'>>(
      db,
      `${CHILD} WHERE c.id = ${BY_ID_OR_MERGED_ID}${lock ? ' FOR UPDATE OF c' : ''}`,
      [childId],
    ),
  );
}

export async function childFactsByNhsNumber(db: Db, nhsNumber: string): Promise<ChildFacts | null> {
  return withConcerns(
    db,
    await selectOne<Omit<ChildFacts, 'openConcerns'>>(
      db,
      `${CHILD} WHERE c.nhs_number = $1 OR c.id = (SELECT child_id FROM superseded_nhs_numbers WHERE nhs_number = $1)
       ORDER BY c.nhs_number = $1 DESC LIMIT 1`,
      [nhsNumber],
    ),
  );
}

/** Alert or open concern: a lead-to-lead handover is due before the child's transfer completes. */
export function needsSafeguardingHandover(c: Pick<ChildFacts, 'safeguardingAlert' | 'openConcerns'>): boolean {
  return c.safeguardingAlert !== 'none' || c.openConcerns > 0;
}

/** The child's facts for a process (child.getRecord), audited `child.read`. */
export async function readChildForProcess(
  db: Db,
  actor: ProcessActor,
  by: { childId?: string; nhsNumber?: string },
): Promise<ChildFacts> {
  const child = by.childId ? await childFactsById(db, by.childId) : await childFactsByNhsNumber(db, by.nhsNumber!);
  if (!child) throw notFound(`no child record for ${by.childId ? `id ${by.childId}` : `NHS number ${by.nhsNumber}`}`);
  await writeAudit(db, actor, {
    action: 'child.read',
    entityType: 'child',
    entityId: child.nhsNumber,
    childId: child.childId,
  });
  return child;
}

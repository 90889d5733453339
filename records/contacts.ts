/** A child's family contacts (`contacts`): part of the child's record, read with it (children/read.ts audits). */
import { select, selectOne, type Db } from './sql';

export interface Contact {
  id: string;
  relationship: string;
  name: string;
  phone: string | null;
  email: string | null;
  preferredMethod: string;
  isPrimary: boolean;
}

/** Primary contact first. */
export function contactsOf(db: Db, childId: string): Promise<Contact[]> {
  return select<Contact>(
    db,
    'SELECT id, relationship, name, phone, email, preferred_method, is_primary FROM contacts WHERE child_id = $1 ORDER BY is_primary DESC, id',
    [childId],
  );
}

/** The mother named on a birth notification, as the primary contact of the record it created. */
export async function addMotherFromBirthNotification(tx: Db, childId: string, name: string): Promise<void> {
  await selectOne(
    tx,
    `INSERT INTO contacts (child_id, relationship, name, preferred_method, is_primary) VALUES ($1, 'mother', $2, 'letter', true) RETURNING id`,
    [childId, name],
  );
}

/** The family's first contact (primary first) with the child's address and names, for a reminder. */
export interface FamilyContact {
  name: string;
  email: string | null;
  phone: string | null;
  preferredMethod: 'email' | 'sms' | 'letter' | 'phone';
  addressLine1: string;
  addressLine2: string | null;
  town: string | null;
  postcode: string;
  givenName: string;
  familyName: string;
  /** Restricted on PDS (S-flagged): no letter goes to the address. */
  restricted: boolean;
}

export function familyContactOf(db: Db, childId: string): Promise<FamilyContact | null> {
  return selectOne<FamilyContact>(
    db,
    `SELECT ct.name, ct.email, ct.phone, ct.preferred_method, c.address_line1, c.address_line2, c.town, c.postcode, c.given_name, c.family_name, c.restricted
     FROM children c JOIN contacts ct ON ct.child_id = c.id
     WHERE c.id = $1 ORDER BY ct.is_primary DESC, ct.id LIMIT 1`,
    [childId],
  );
}

/**
 * A merge of two records of one child (children/merge.ts): the merged record's contacts move to
 * `into`. A contact the surviving record holds already (same relationship, name, phone and
 * email) is removed and returned to be kept in the merge record; a second main contact becomes
 * an ordinary one (the surviving record's stays the main one).
 */
export async function moveContactsOnMerge(
  tx: Db,
  from: string,
  into: string,
): Promise<{ moved: number; duplicates: unknown[]; noLongerMain: string[] }> {
  const duplicates = await select<{ row: unknown }>(
    tx,
    `DELETE FROM contacts f WHERE f.child_id = $1 AND EXISTS (
       SELECT 1 FROM contacts i WHERE i.child_id = $2 AND i.relationship = f.relationship AND lower(i.name) = lower(f.name)
         AND i.phone IS NOT DISTINCT FROM f.phone AND i.email IS NOT DISTINCT FROM f.email)
     RETURNING to_jsonb(f) AS row`,
    [from, into],
  );
  const noLongerMain = await select<{ id: string }>(
    tx,
    `UPDATE contacts SET is_primary = false WHERE child_id = $1 AND is_primary
       AND EXISTS (SELECT 1 FROM contacts WHERE child_id = $2 AND is_primary) RETURNING id`,
    [from, into],
  );
  const moved = await select(tx, 'UPDATE contacts SET child_id = $2 WHERE child_id = $1 RETURNING id', [from, into]);
  return { moved: moved.length, duplicates: duplicates.map((d) => d.row), noLongerMain: noLongerMain.map((r) => r.id) };
}

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

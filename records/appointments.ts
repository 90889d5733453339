/** Appointment outcomes (`appointment_outcomes`): attended or Was Not Brought, counted per child across every kind. */
import { select, selectOne, type Db } from './sql';

export async function recordAppointmentOutcome(
  tx: Db,
  a: {
    childId: string;
    inboundEventId: string;
    kind: string;
    contact: string | null;
    vaccine: string | null;
    date: string;
    outcome: string;
  },
): Promise<string> {
  const row = await selectOne<{ id: string }>(
    tx,
    `INSERT INTO appointment_outcomes (child_id, inbound_event_id, kind, contact, vaccine, appointment_on, outcome)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [a.childId, a.inboundEventId, a.kind, a.contact, a.vaccine, a.date, a.outcome],
  );
  return row!.id;
}

/** The first day an attended appointment for this mandated contact is on the child's record, or null. */
export async function attendedContactOn(db: Db, childId: string, contact: string): Promise<string | null> {
  const row = await selectOne<{ firstOn: string | null }>(
    db,
    `SELECT min(appointment_on)::text AS first_on FROM appointment_outcomes
     WHERE child_id = $1 AND contact = $2 AND outcome = 'attended'`,
    [childId, contact],
  );
  return row?.firstOn ?? null;
}

/** A merge (children/merge.ts): the merged record's appointments (attended and Was Not Brought) move to `into`, so misses add up for the child. */
export async function moveAppointmentsOnMerge(tx: Db, from: string, into: string): Promise<number> {
  const moved = await select(
    tx,
    'UPDATE appointment_outcomes SET child_id = $2 WHERE child_id = $1 RETURNING child_id',
    [from, into],
  );
  return moved.length;
}

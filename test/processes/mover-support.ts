/**
 * Helpers for the mover and safeguarding end-to-end tests on the CHIS stack: seeded children
 * to move, events published as the inbound-event endpoints publish them, tasks worked through
 * the case-work API (claim, then complete) by the demo accounts.
 */
import { formatNhsNumber } from '../../core/nhs-number';
import { select } from '../../records/sql';
import type { ChisStack, HumanTaskRow, SignedInCaller } from '../support/chis-stack';

export interface SeededChild {
  id: string;
  nhsNumber: string;
  gpPracticeOds: string;
  localityCode: string;
  dateOfBirth: string;
}

/** A seeded child of `locality` that no earlier test has used (no transfer, no concern), with the given alert. */
export async function unusedChild(
  stack: ChisStack,
  locality: string,
  alert: 'none' | 'concern' | 'child_protection_plan' | 'looked_after' = 'none',
): Promise<SeededChild> {
  const [c] = await select<SeededChild>(
    stack.db,
    `SELECT c.id, c.nhs_number, c.gp_practice_ods, l.code AS locality_code, c.date_of_birth::text AS date_of_birth
     FROM children c JOIN localities l ON l.id = c.locality_id
     WHERE l.code = $1 AND c.status = 'active' AND c.gp_practice_ods IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM transfers x WHERE x.child_id = c.id)
       AND NOT EXISTS (SELECT 1 FROM safeguarding_concerns k WHERE k.child_id = c.id)
       AND NOT EXISTS (SELECT 1 FROM process_instances i WHERE i.business_key = c.nhs_number)
     ORDER BY c.id LIMIT 1`,
    [locality],
  );
  if (!c) throw new Error(`no unused seeded child in ${locality}: seed more children`);
  await stack.db.sequelize.query('UPDATE children SET safeguarding_alert = $2 WHERE id = $1', { bind: [c.id, alert] });
  return c;
}

/** Posts an inbound event (PDS / CP-IS / another CHIS) to the API as the integration client; expects `status` (202 accepted). */
export async function postEvent(
  stack: ChisStack,
  kind: 'address-changes' | 'gp-changes' | 'inbound-transfers' | 'child-protection-alerts',
  body: Record<string, unknown>,
  status = 202,
): Promise<Record<string, unknown>> {
  const res = await stack.events.post(`/api/events/${kind}`).send(body);
  if (res.status !== status) throw new Error(`POST /api/events/${kind}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, unknown>;
}

export async function openTask(
  stack: ChisStack,
  nhsNumber: string,
  elementId: string,
  processKey?: string,
): Promise<HumanTaskRow> {
  return stack.waitFor(async () => {
    const tasks = await stack.tasksFor(nhsNumber);
    return tasks.find(
      (t) =>
        t.elementId === elementId &&
        (t.status === 'open' || t.status === 'claimed') &&
        (!processKey || t.processKey === processKey),
    );
  }, `an open ${elementId} task for ${nhsNumber}`);
}

const callers = new Map<string, SignedInCaller>();

export async function caller(stack: ChisStack, username: string): Promise<SignedInCaller> {
  const key = `${stack.taskQueue}/${username}`;
  if (!callers.has(key)) callers.set(key, await stack.signIn(username));
  return callers.get(key)!;
}

/** Claims and completes a task through the API as `username`; returns the completion response. */
export async function completeTask(
  stack: ChisStack,
  username: string,
  taskId: string,
  data: Record<string, unknown>,
  outcome?: string,
) {
  const who = await caller(stack, username);
  const claimed = await who.post(`/api/tasks/${taskId}/claim`).send({});
  if (claimed.status !== 200)
    throw new Error(`${username} could not claim ${taskId}: ${claimed.status} ${JSON.stringify(claimed.body)}`);
  const done = await who.post(`/api/tasks/${taskId}/complete`).send({ data, ...(outcome ? { outcome } : {}) });
  if (done.status !== 200)
    throw new Error(`${username} could not complete ${taskId}: ${done.status} ${JSON.stringify(done.body)}`);
  return done;
}

export async function instanceStatus(
  stack: ChisStack,
  nhsNumber: string,
  processKey: string,
): Promise<string | undefined> {
  const rows = await stack.instancesFor(nhsNumber);
  return rows.filter((r) => r.processKey === processKey).at(-1)?.status;
}

export interface TransferRowView {
  id: string;
  direction: string;
  status: string;
  fromLocality: string | null;
  toLocality: string | null;
  otherChis: string | null;
  escalatedAt: Date | null;
  handoverCompletedAt: Date | null;
  completedAt: Date | null;
}

export function transfersOf(stack: ChisStack, childId: string): Promise<TransferRowView[]> {
  return select<TransferRowView>(
    stack.db,
    `SELECT t.id, t.direction, t.status, f.code AS from_locality, l.code AS to_locality, t.other_chis, t.escalated_at, t.handover_completed_at, t.completed_at
     FROM transfers t LEFT JOIN localities f ON f.id = t.from_locality_id LEFT JOIN localities l ON l.id = t.to_locality_id
     WHERE t.child_id = $1 ORDER BY t.id`,
    [childId],
  );
}

export function auditActions(stack: ChisStack, childId: string): Promise<string[]> {
  return select<{ action: string }>(stack.db, 'SELECT action FROM audit_events WHERE child_id = $1 ORDER BY id', [
    childId,
  ]).then((r) => r.map((x) => x.action));
}

export interface MailView {
  envelopeTo: string[];
  subject: string;
  textBody: string;
}

/** Mail the embedded SMTP server received for this address about this child (NHS number in the text); waits for `count`. */
export function mailTo(stack: ChisStack, email: string, nhsNumber: string, count = 1): Promise<MailView[]> {
  const nhs = formatNhsNumber(nhsNumber);
  return stack.waitFor(async () => {
    const rows = await select<MailView>(
      stack.db,
      'SELECT envelope_to, subject, text_body FROM received_mail WHERE envelope_to @> ARRAY[lower($1::text)] AND position($2 in text_body) > 0 ORDER BY id',
      [email, nhs],
    );
    return rows.length >= count ? rows : false;
  }, `${count} email(s) to ${email} about ${nhs}`);
}

export async function practiceEmail(stack: ChisStack, odsCode: string): Promise<string> {
  const [p] = await select<{ email: string }>(stack.db, 'SELECT email FROM gp_practices WHERE ods_code = $1', [
    odsCode,
  ]);
  if (!p) throw new Error(`no practice ${odsCode}`);
  return p.email;
}

/** A child written directly (a known history): born `ageDays` ago, no immunisations or screening on record. */
export async function insertChild(
  stack: ChisStack,
  o: { locality: string; postcode: string; ageDays: number; alert?: string; gpPracticeOds?: string },
): Promise<SeededChild> {
  const nhsNumber = stack.newNhsNumber();
  const gp = o.gpPracticeOds ?? (await stack.practiceOf(o.locality)).odsCode;
  const [row] = await select<SeededChild>(
    stack.db,
    `INSERT INTO children (nhs_number, given_name, family_name, date_of_birth, sex, address_line1, postcode, locality_id, gp_practice_ods, safeguarding_alert)
     SELECT $1, 'Ada', 'Quinton', (current_date - $2::int), 'female', '3 Mill Lane', $3, l.id, $4, $5 FROM localities l WHERE l.code = $6
     RETURNING id, nhs_number, gp_practice_ods, $6::text AS locality_code, date_of_birth::text AS date_of_birth`,
    [nhsNumber, o.ageDays, o.postcode, gp, o.alert ?? 'none', o.locality],
  );
  return row;
}

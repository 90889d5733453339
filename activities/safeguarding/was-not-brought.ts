/**
 * `safeguarding.assessWasNotBrought`: Was Not Brought counted per child across every kind of
 * health appointment (immunisation, health visit, screening, NIPE), over a window the
 * was-not-brought diagram sets. One miss is usually not a concern, a pattern is; for a child on
 * a child protection plan or looked after, one miss is enough. At the limit the appointment is
 * escalated once (was_not_brought_escalations), with a reason naming every miss in the window.
 */
import { randomUUID } from 'node:crypto';
import type { ActivityInput, ActivityOutput } from '../catalogue';
import { SAFEGUARDING_ACTIVITIES } from '../catalogue/safeguarding';
import { inTransaction, type Db } from '../../records/sql';
import { childFactsById } from '../../records/children/facts';
import { escalatedByFollowUp } from '../../records/immunisations/follow-ups';
import { missesInWindow, recordChildEscalation } from '../../records/was-not-brought';
import { mandatedContact, productByCode } from '../../schedule';
import { auditBySystem, notFound, parseInput } from '../support';
import { runningActivity } from '../immunisation/support';

type Output = ActivityOutput<'safeguarding.assessWasNotBrought'>;
type Miss = Output['misses'][number];

/** Alerts under which one Was Not Brought is enough (CP-IS: child protection plan or looked after). */
const CHILD_PROTECTION_ALERTS = new Set(['child_protection_plan', 'looked_after']);

const KIND_LABELS: Record<string, string> = {
  immunisation: 'immunisation',
  health_visit: 'health visit',
  screening: 'screening',
  nipe: 'NIPE examination',
  other: 'appointment',
};

/** "P12M" → a PostgreSQL interval ("12 months"); the input schema has checked the form. */
function intervalOf(duration: string): string {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(duration)!;
  const [years, months, weeks, days] = [m[1], m[2], m[3], m[4]].map((v) => Number(v ?? 0));
  return `${years} years ${months} months ${weeks * 7 + days} days`;
}

function windowText(duration: string): string {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(duration)!;
  const unit = (n: string | undefined, word: string) => (n ? `${n} ${word}${n === '1' ? '' : 's'}` : null);
  return [unit(m[1], 'year'), unit(m[2], 'month'), unit(m[3], 'week'), unit(m[4], 'day')].filter(Boolean).join(' ');
}

function labelOf(m: { kind: string; contact: string | null; vaccine: string | null }): string {
  if (m.contact) return mandatedContact(m.contact)?.label ?? m.contact;
  const kind = KIND_LABELS[m.kind] ?? m.kind;
  return m.vaccine ? `${kind} (${productByCode(m.vaccine)?.name ?? m.vaccine})` : kind;
}

export async function assessWasNotBrought(
  db: Db,
  raw: ActivityInput<'safeguarding.assessWasNotBrought'>,
): Promise<Output> {
  const input = parseInput(
    'safeguarding.assessWasNotBrought',
    SAFEGUARDING_ACTIVITIES['safeguarding.assessWasNotBrought'].input,
    raw,
  );
  const who = runningActivity('was-not-brought', `direct-wnb-${randomUUID()}`);
  const { appointment } = input;
  const appointmentKey = `${appointment.kind}/${appointment.date}`;
  return inTransaction(db, async (tx) => {
    // Locked: two misses reported at once are counted one after the other.
    const child = await childFactsById(tx, input.childId, true);
    if (!child) throw notFound(`safeguarding.assessWasNotBrought: no child record ${input.childId}`);
    const rows = await missesInWindow(tx, input.childId, appointment.date, intervalOf(input.window));
    const misses: Miss[] = rows.map((r) => ({ ...r, label: labelOf(r) }));
    const childProtection = CHILD_PROTECTION_ALERTS.has(child.safeguardingAlert);
    const limit = childProtection ? input.childProtectionLimit : input.limit;
    const count = misses.length;
    const summary =
      `Was Not Brought to ${count} appointment${count === 1 ? '' : 's'} in the last ${windowText(input.window)}` +
      `${childProtection ? ` (child ${child.safeguardingAlert === 'looked_after' ? 'looked after' : 'on a child protection plan'}: one miss is enough)` : ''}: ` +
      misses.map((m) => `${m.label} on ${m.date}`).join('; ');
    let escalate = false;
    if (count >= limit) {
      // Once per appointment, whichever process gets there first (follow-ups started before this
      // process existed escalate immunisation appointments themselves: immunisation_wnb_escalations).
      if (!(await escalatedByFollowUp(tx, input.childId, appointmentKey)))
        escalate = await recordChildEscalation(tx, { childId: input.childId, appointmentKey, misses });
    }
    await auditBySystem(tx, who, {
      action: 'safeguarding.was_not_brought_assessed',
      entityType: 'child',
      entityId: input.childId,
      childId: input.childId,
      detail: { appointmentKey, window: input.window, count, limit, escalate, misses: misses.map((m) => m.date) },
    });
    return { count, limit, escalate, misses, summary, safeguardingAlert: child.safeguardingAlert };
  });
}

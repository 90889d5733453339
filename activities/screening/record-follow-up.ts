/** screening.recordFollowUp: a step of a missing-screening follow-up, in the child's audit trail. */
import { SCREENING_ACTIVITIES } from '../catalogue/screening';
import type { ActivityInput, ActivityOutput } from '../catalogue';
import { inTransaction, selectOne, type Db } from '../../db/repositories/sql';
import type { ActivityCall } from './activity-context';
import { auditOnce } from './audit';
import { BAD_INPUT, notFound, parseInput } from '../support';

type Input = ActivityInput<'screening.recordFollowUp'>;
type Output = ActivityOutput<'screening.recordFollowUp'>;

export async function recordFollowUp(db: Db, call: ActivityCall, raw: unknown): Promise<Output> {
  const input: Input = parseInput(
    'screening.recordFollowUp',
    SCREENING_ACTIVITIES['screening.recordFollowUp'].input,
    raw,
    BAD_INPUT,
  );
  return inTransaction(db, async (tx) => {
    const child = await selectOne<{ id: string }>(tx, 'SELECT id FROM children WHERE id = $1', [input.childId]);
    if (!child) throw notFound(`screening.recordFollowUp: no child record ${input.childId}`);
    const audit = await auditOnce(tx, call, {
      action: `screening.${input.stage}`,
      childId: input.childId,
      entityId: input.programme,
      reason: input.reason,
      detail: { programme: input.programme, stage: input.stage, ...(input.dueBy ? { dueBy: input.dueBy } : {}) },
    });
    return { auditEventId: audit.id, alreadyRecorded: audit.alreadyRecorded };
  });
}

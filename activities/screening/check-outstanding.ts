/** screening.checkOutstanding: which newborn screens still lack a conclusive result. */
import { SCREENING_ACTIVITIES } from '../catalogue/screening';
import type { ActivityInput, ActivityOutput } from '../catalogue';
import { select, inTransaction, selectOne, type Db } from '../../db/repositories/sql';
import type { ActivityCall } from './activity-context';
import { auditOnce } from './audit';
import { PROGRAMMES, screeningStatus, type ScreeningResultRow } from './rules';
import { BAD_INPUT, notFound, parseInput, validationError } from '../support';

type Input = ActivityInput<'screening.checkOutstanding'>;
type Output = ActivityOutput<'screening.checkOutstanding'>;

function isRealDate(iso: string): boolean {
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso;
}

export async function checkOutstanding(db: Db, call: ActivityCall, raw: unknown): Promise<Output> {
  const input: Input = parseInput(
    'screening.checkOutstanding',
    SCREENING_ACTIVITIES['screening.checkOutstanding'].input,
    raw,
    BAD_INPUT,
  );
  const asOf = input.asOf ?? call.scheduledOn;
  for (const [name, value] of [
    ['dateOfBirth', input.dateOfBirth],
    ['asOf', asOf],
  ] as const) {
    if (!isRealDate(value))
      throw validationError(`screening.checkOutstanding: ${name} "${value}" is not a calendar date`);
  }
  if (input.dateOfBirth > asOf)
    throw validationError(
      `screening.checkOutstanding: dateOfBirth ${input.dateOfBirth} is after the day checked (${asOf})`,
    );
  const programmes = input.programmes ?? [...PROGRAMMES];

  return inTransaction(db, async (tx) => {
    const child = await selectOne<{ id: string }>(tx, 'SELECT id FROM children WHERE id = $1', [input.childId]);
    if (!child) throw notFound(`screening.checkOutstanding: no child record ${input.childId}`);
    const results = await select<ScreeningResultRow>(
      tx,
      `SELECT programme, outcome, recorded_on::text AS recorded_on FROM screening_results
       WHERE child_id = $1 AND programme = ANY($2::text[]) ORDER BY recorded_on DESC, recorded_at DESC, id DESC`,
      [input.childId, programmes],
    );
    const status = screeningStatus(input.dateOfBirth, asOf, programmes, results);
    await auditOnce(tx, call, {
      action: 'screening.checked',
      childId: input.childId,
      entityId: null,
      reason: 'newborn screening follow-up',
      detail: {
        asOf,
        programmes,
        outstanding: status.outstanding.map((o) => o.programme),
        missed: status.missed.map((o) => o.programme),
      },
    });
    return SCREENING_ACTIVITIES['screening.checkOutstanding'].output.parse(status);
  });
}

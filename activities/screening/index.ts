/**
 * Implementations of the catalogue's screening.* activities (declared in ../catalogue/screening.ts):
 * adapters onto records/screening, keyed per activity call so a retry writes nothing twice.
 */
import { processActor } from '../../records/actor';
import { checkOutstandingScreening, recordScreeningFollowUp } from '../../records/screening/follow-up';
import { PROGRAMMES } from '../../records/screening/rules';
import type { CatalogueActivityMap } from '../catalogue';
import { SCREENING_ACTIVITIES } from '../catalogue/screening';
import type { CatalogueDeps } from '../deps';
import { asActivity, BAD_INPUT, parserFor, validationError } from '../support';
import { currentCall } from './activity-context';

function isRealDate(iso: string): boolean {
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso;
}

export function createScreeningActivities(
  deps: CatalogueDeps,
): CatalogueActivityMap<keyof typeof SCREENING_ACTIVITIES> {
  const db = { sequelize: deps.sequelize };
  const parse = parserFor(SCREENING_ACTIVITIES, BAD_INPUT);
  const callOf = (c: ReturnType<typeof currentCall>) => ({
    actor: processActor(c.actor, c.processInstanceId),
    idempotencyKey: c.idempotencyKey,
  });
  return {
    'screening.checkOutstanding': async (raw) => {
      const type = 'screening.checkOutstanding';
      const call = currentCall();
      const input = parse(type, raw);
      const asOf = input.asOf ?? call.scheduledOn;
      for (const [name, value] of [
        ['dateOfBirth', input.dateOfBirth],
        ['asOf', asOf],
      ] as const) {
        if (!isRealDate(value)) throw validationError(`${type}: ${name} "${value}" is not a calendar date`);
      }
      if (input.dateOfBirth > asOf)
        throw validationError(`${type}: dateOfBirth ${input.dateOfBirth} is after the day checked (${asOf})`);
      const status = await asActivity(type, () =>
        checkOutstandingScreening(db, callOf(call), {
          childId: input.childId,
          dateOfBirth: input.dateOfBirth,
          asOf,
          programmes: input.programmes ?? [...PROGRAMMES],
        }),
      );
      return SCREENING_ACTIVITIES[type].output.parse(status);
    },
    'screening.recordFollowUp': async (raw) => {
      const type = 'screening.recordFollowUp';
      const call = currentCall();
      const input = parse(type, raw);
      return asActivity(type, () => recordScreeningFollowUp(db, callOf(call), input));
    },
  };
}

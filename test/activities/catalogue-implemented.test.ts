/**
 * Every type a diagram may name has an implementation the worker registers: a catalogue entry
 * without one would deploy cleanly and then fail at run time.
 */
import { ACTIVITY_TYPES } from '../../activities/catalogue';
import { createCatalogueActivities } from '../../activities/catalogue-activities';
import type { Sequelize } from 'sequelize';

test('every catalogue type is implemented, and nothing is implemented outside the catalogue', () => {
  // Factories only close over their dependencies; none touches the database when built.
  const implemented = createCatalogueActivities({ sequelize: {} as Sequelize, taskQueue: 'unused' });
  const missing = [...ACTIVITY_TYPES].filter((t) => typeof implemented[t as keyof typeof implemented] !== 'function');
  const unknown = Object.keys(implemented).filter((t) => !ACTIVITY_TYPES.has(t));
  expect({ missing, unknown }).toEqual({ missing: [], unknown: [] });
});

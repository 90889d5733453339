import { REGION_LOCALITIES, type LocalityReference } from '../reference/region';
import { cumulative } from './prng';

/**
 * How the synthetic region is shaped: each locality's share of children follows its real
 * 0–19 population (ONS mid-year estimates, rounded to thousands; about 1.43 million in all).
 */
const CHILDREN_AGED_0_19_THOUSANDS: Record<string, number> = {
  birmingham: 320,
  coventry: 85,
  dudley: 75,
  herefordshire: 38,
  sandwell: 92,
  shropshire: 66,
  solihull: 50,
  staffordshire: 190,
  'stoke-on-trent': 63,
  'telford-and-wrekin': 47,
  walsall: 72,
  warwickshire: 135,
  wolverhampton: 67,
  worcestershire: 130,
};

/** Synthetic ODS prefixes (letter + 2 digits; a practice adds 3 digits, e.g. M85001). */
const ODS_PREFIX: Record<string, string> = {
  birmingham: 'M85',
  coventry: 'M86',
  dudley: 'M87',
  herefordshire: 'M81',
  sandwell: 'M88',
  shropshire: 'M82',
  solihull: 'M89',
  staffordshire: 'M83',
  'stoke-on-trent': 'M84',
  'telford-and-wrekin': 'M90',
  walsall: 'M91',
  warwickshire: 'M92',
  wolverhampton: 'M93',
  worcestershire: 'M94',
};

/** Post town by postcode area (the letters of the district). */
const POST_TOWN_BY_AREA: Record<string, string> = {
  B: 'Birmingham',
  CV: 'Coventry',
  DY: 'Dudley',
  HR: 'Hereford',
  SY: 'Shrewsbury',
  ST: 'Stoke-on-Trent',
  TF: 'Telford',
  WS: 'Walsall',
  WV: 'Wolverhampton',
  WR: 'Worcester',
  DE: 'Burton-on-Trent',
};

export const CHILDREN_PER_PRACTICE = 1500;
export const MIN_PRACTICES_PER_LOCALITY = 2;
export const MAX_PRACTICES_PER_LOCALITY = 999;

export interface LocalityProfile extends LocalityReference {
  share: number;
  odsPrefix: string;
}

export const LOCALITY_PROFILES: readonly LocalityProfile[] = (() => {
  const total = Object.values(CHILDREN_AGED_0_19_THOUSANDS).reduce((a, b) => a + b, 0);
  return REGION_LOCALITIES.map((l) => {
    const population = CHILDREN_AGED_0_19_THOUSANDS[l.code];
    const odsPrefix = ODS_PREFIX[l.code];
    if (population === undefined || odsPrefix === undefined) throw new Error(`no seed profile for locality ${l.code}`);
    return { ...l, share: population / total, odsPrefix };
  });
})();

export const LOCALITY_CUMULATIVE_SHARES = cumulative(LOCALITY_PROFILES.map((l) => l.share));

export function postTown(district: string): string {
  const area = /^[A-Z]+/.exec(district)![0];
  const town = POST_TOWN_BY_AREA[area];
  if (!town) throw new Error(`no post town for postcode area ${area}`);
  return town;
}

/** Practices a locality should have for a region of `totalChildren`: about one per 1,500 children. */
export function practiceTarget(profile: LocalityProfile, totalChildren: number): number {
  const wanted = Math.round((totalChildren * profile.share) / CHILDREN_PER_PRACTICE);
  return Math.min(MAX_PRACTICES_PER_LOCALITY, Math.max(MIN_PRACTICES_PER_LOCALITY, wanted));
}

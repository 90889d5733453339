import { QueryTypes } from 'sequelize';
import { isValidNhsNumber, nhsCheckDigit } from '../../core/nhs-number';
import type { Database } from '../../db/database';
import { SCHEDULE_2026_DOSES } from '../../db/reference/immunisation-schedule-2026';
import { addInterval, civil, dayFromIso, isoFromDay, parseInterval } from '../../db/seed/dates';
import { NhsNumberAllocator } from '../../db/seed/nhs-numbers';
import { Rng, streamKey } from '../../db/seed/prng';
import { LOCALITY_PROFILES, practiceTarget } from '../../db/seed/region-profile';
import { regionIsEmpty } from '../../db/seed';
import { createMigratedDatabase } from '../support/databases';

describe('synthetic NHS numbers', () => {
  test('start at 999 000 0018, ascend, are all valid, and skip bases whose check value is 10', () => {
    const allocator = new NhsNumberAllocator();
    const numbers = Array.from({ length: 2000 }, () => allocator.next().nhsNumber);
    expect(numbers[0]).toBe('9990000018');
    expect(numbers.every(isValidNhsNumber)).toBe(true);
    expect([...numbers].sort()).toEqual(numbers);
    const bases = new Set(numbers.map((n) => n.slice(0, 9)));
    const skipped = Array.from({ length: 2000 }, (_, i) => `999${String(i).padStart(6, '0')}`).filter(
      (b) => b <= numbers[numbers.length - 1].slice(0, 9) && !bases.has(b),
    );
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((b) => nhsCheckDigit(b) === null)).toBe(true);
  });

  test('the 999 range holds 909,091 valid numbers; beyond it the 998 range continues', () => {
    expect(new NhsNumberAllocator().remaining()).toBe(2 * 909_091);
    const nearEnd = new NhsNumberAllocator({ range: '999', base: 999_990 });
    const numbers = Array.from({ length: 12 }, () => nearEnd.next().nhsNumber);
    expect(numbers.every(isValidNhsNumber)).toBe(true);
    expect(numbers[0].startsWith('999999999') || numbers[0].startsWith('99999999')).toBe(true);
    expect(numbers.some((n) => n.startsWith('998'))).toBe(true);
    expect(numbers.findIndex((n) => n.startsWith('998'))).toBeGreaterThan(0);
  });

  test('continues after the last number used, without repeating it', () => {
    const allocator = new NhsNumberAllocator({ range: '999', base: 41 });
    expect(allocator.next().nhsNumber.slice(0, 9)).toBe('999000042');
  });
});

describe('seeded random streams', () => {
  test('the same key gives the same stream, other keys other streams', () => {
    const draw = (key: number) =>
      Array.from(
        { length: 5 },
        (
          (rng) => () =>
            rng.next()
        )(new Rng(key)),
      );
    expect(draw(streamKey(1, 999000001))).toEqual(draw(streamKey(1, 999000001)));
    expect(draw(streamKey(1, 999000001))).not.toEqual(draw(streamKey(1, 999000002)));
    expect(draw(streamKey(1, 999000001))).not.toEqual(draw(streamKey(2, 999000001)));
    const values = draw(streamKey(3, 4));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});

describe('region profile', () => {
  test('shares follow child populations and add up to one', () => {
    const total = LOCALITY_PROFILES.reduce((sum, l) => sum + l.share, 0);
    expect(total).toBeCloseTo(1, 10);
    const sorted = [...LOCALITY_PROFILES].sort((a, b) => b.share - a.share);
    expect(sorted[0].code).toBe('birmingham');
    expect(sorted[sorted.length - 1].code).toBe('herefordshire');
  });

  test('about one practice per 1,500 children, at least two per locality', () => {
    const birmingham = LOCALITY_PROFILES.find((l) => l.code === 'birmingham')!;
    expect(practiceTarget(birmingham, 100)).toBe(2);
    const full = practiceTarget(birmingham, 1_400_000);
    expect(full).toBeGreaterThan(180);
    expect(full).toBeLessThan(240);
  });
});

describe('calendar arithmetic agrees with PostgreSQL date + interval', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createMigratedDatabase('seed_dates');
  });
  afterAll(() => db.close());

  test('for every schedule interval, across month ends and leap days', async () => {
    const births = ['2024-01-31', '2024-02-29', '2023-08-31', '2025-12-31', '2010-10-30', '2026-11-24'];
    const intervals = [
      ...new Set(SCHEDULE_2026_DOSES.flatMap((d) => [d.dueAge, d.maxAge].filter((x): x is string => x !== undefined))),
    ];
    const pairs = births.flatMap((b) => intervals.map((i) => [b, i] as const));
    const rows = await db.sequelize.query<{ d: string }>(
      'SELECT (b::date + i::interval)::date::text AS d FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(b, i, n) ORDER BY n',
      { type: QueryTypes.SELECT, bind: [pairs.map((p) => p[0]), pairs.map((p) => p[1])] },
    );
    const ours = pairs.map(([b, i]) => isoFromDay(addInterval(civil(dayFromIso(b)), parseInterval(i))));
    expect(ours).toEqual(rows.map((r) => r.d));
  });

  test('a migrated database without children counts as an empty region', async () => {
    expect(await regionIsEmpty(db.sequelize)).toBe(true);
  });

  test('refuses dates and intervals it cannot read', () => {
    expect(() => dayFromIso('2026-02-30')).toThrow(/not a calendar date/);
    expect(() => dayFromIso('24/11/2026')).toThrow(/YYYY-MM-DD/);
    expect(() => parseInterval('3 fortnights')).toThrow(/unknown unit/);
  });
});

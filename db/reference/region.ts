/**
 * The West Midlands region: its 14 areas and the postcode districts that route an address
 * to a responsible locality. Districts that straddle a boundary go to the area holding
 * most of their addresses; a caseworker can correct a single child's locality.
 *
 * WS8 (Brownhills, north Walsall Wood), WS9 (Aldridge, south Walsall Wood; the village of
 * Stonnall is in Lichfield district) and WS10 (Wednesbury in Sandwell; Darlaston and Moxley in
 * Walsall) are in the West Midlands county, not Staffordshire: WS8 and WS9 → Walsall, WS10 →
 * Sandwell (Wednesbury's wards, the larger part). Source: the coverage table of the WS postcode
 * area (local authority areas per district), Wikipedia "WS postcode area"; migration 0013.
 */
export interface LocalityReference {
  id: number;
  code: string;
  name: string;
  districts: string[];
}

const range = (area: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${area}${from + i}`);

export const REGION_LOCALITIES: readonly LocalityReference[] = [
  {
    id: 1,
    code: 'birmingham',
    name: 'Birmingham',
    districts: [...range('B', 1, 36), 'B38', ...range('B', 42, 48), ...range('B', 72, 76)],
  },
  { id: 2, code: 'coventry', name: 'Coventry', districts: range('CV', 1, 6) },
  { id: 3, code: 'dudley', name: 'Dudley', districts: ['DY1', 'DY2', 'DY3', 'DY5', 'DY6', 'DY8', 'DY9', 'B62', 'B63'] },
  { id: 4, code: 'herefordshire', name: 'Herefordshire', districts: range('HR', 1, 9) },
  { id: 5, code: 'sandwell', name: 'Sandwell', districts: [...range('B', 64, 71), 'DY4', 'WS10'] },
  { id: 6, code: 'shropshire', name: 'Shropshire', districts: [...range('SY', 1, 13), 'TF9', 'WV15', 'WV16'] },
  { id: 7, code: 'solihull', name: 'Solihull', districts: ['B37', 'B39', 'B40', ...range('B', 90, 94)] },
  {
    id: 8,
    code: 'staffordshire',
    name: 'Staffordshire',
    districts: [
      'ST5',
      ...range('ST', 7, 21),
      'WS6',
      'WS7',
      ...range('WS', 11, 15),
      'DE13',
      'DE14',
      'DE15',
      'B77',
      'B78',
      'B79',
    ],
  },
  { id: 9, code: 'stoke-on-trent', name: 'Stoke-on-Trent', districts: ['ST1', 'ST2', 'ST3', 'ST4', 'ST6'] },
  { id: 10, code: 'telford-and-wrekin', name: 'Telford and Wrekin', districts: [...range('TF', 1, 8), 'TF10'] },
  {
    id: 11,
    code: 'walsall',
    name: 'Walsall',
    districts: ['WS1', 'WS2', 'WS3', 'WS4', 'WS5', 'WS8', 'WS9', 'WV12', 'WV13'],
  },
  {
    id: 12,
    code: 'warwickshire',
    name: 'Warwickshire',
    districts: [
      ...range('CV', 7, 13),
      ...range('CV', 21, 23),
      ...range('CV', 31, 37),
      'CV47',
      'B49',
      'B50',
      'B80',
      'B95',
    ],
  },
  {
    id: 13,
    code: 'wolverhampton',
    name: 'Wolverhampton',
    districts: ['WV1', 'WV2', 'WV3', 'WV4', 'WV6', 'WV10', 'WV11', 'WV14'],
  },
  {
    id: 14,
    code: 'worcestershire',
    name: 'Worcestershire',
    districts: [...range('WR', 1, 15), ...range('DY', 10, 14), 'B60', 'B61', 'B96', 'B97', 'B98'],
  },
];

/** The outward code (district) of a UK postcode, e.g. "B15 2TT" → "B15", or null if it does not look like one. */
export function postcodeDistrict(postcode: string): string | null {
  const match = /^\s*([A-Z]{1,2}[0-9][0-9A-Z]?)\s*[0-9][A-Z]{2}\s*$/i.exec(postcode);
  return match ? match[1].toUpperCase() : null;
}

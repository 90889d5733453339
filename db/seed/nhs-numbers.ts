import { nhsCheckDigit } from '../../core/nhs-number';

/**
 * Synthetic NHS numbers, allocated in ascending order of their nine-digit base.
 *
 * 999 000 0000–999 999 9999 is the range reserved for test data, but it holds only
 * 909,091 valid numbers (a base whose check value is 10 has none), fewer than the
 * 1.4 million children of the full region. Beyond it the seed continues in the 998 range:
 * outside every range ever issued (England 3xx/4xx/6xx/7xx, Scotland 010–311, Northern
 * Ireland 320–399), though not formally reserved. `SeedSummary.nhsNumbers` says which were used.
 */
export const SYNTHETIC_RANGES = ['999', '998'] as const;

const BASES_PER_RANGE = 1_000_000;

/** Check value (11 - weighted sum mod 11) of prefix + six-digit base, computed without strings. */
function checkValue(prefixSum: number, base: number): number {
  let sum = prefixSum;
  for (let weight = 2, b = base; weight <= 7; weight++, b = Math.floor(b / 10)) sum += (b % 10) * weight;
  return 11 - (sum % 11);
}

function prefixSum(prefix: string): number {
  return Number(prefix[0]) * 10 + Number(prefix[1]) * 9 + Number(prefix[2]) * 8;
}

/** Valid numbers left in a range from `fromBase` on (bases whose check value is 10 have none). */
function countValid(prefix: string, fromBase = 0): number {
  const sum = prefixSum(prefix);
  let count = 0;
  for (let b = fromBase; b < BASES_PER_RANGE; b++) if (checkValue(sum, b) !== 10) count++;
  return count;
}

export class NhsNumberAllocator {
  private rangeIndex: number;
  private base: number;

  /** Starts after `lastUsed` (the highest seeded number already in the database) or at the beginning. */
  constructor(lastUsed?: { range: string; base: number }) {
    if (!lastUsed) {
      this.rangeIndex = 0;
      this.base = 0;
      return;
    }
    const index = SYNTHETIC_RANGES.indexOf(lastUsed.range as (typeof SYNTHETIC_RANGES)[number]);
    if (index < 0) throw new Error(`not a synthetic NHS number range: ${lastUsed.range}`);
    this.rangeIndex = index;
    this.base = lastUsed.base + 1;
  }

  /** How many more numbers this allocator can hand out. */
  remaining(): number {
    let total = 0;
    for (let r = this.rangeIndex; r < SYNTHETIC_RANGES.length; r++) {
      total += countValid(SYNTHETIC_RANGES[r], r === this.rangeIndex ? this.base : 0);
    }
    return total;
  }

  /**
   * The next valid number, and a key unique to it for the child's random stream
   * (range index and base, so that the same number always gets the same child).
   */
  next(): { nhsNumber: string; key: number } {
    while (this.rangeIndex < SYNTHETIC_RANGES.length) {
      while (this.base < BASES_PER_RANGE) {
        const base = this.base++;
        const nine = SYNTHETIC_RANGES[this.rangeIndex] + String(base).padStart(6, '0');
        const check = nhsCheckDigit(nine);
        if (check !== null) return { nhsNumber: nine + String(check), key: this.rangeIndex * BASES_PER_RANGE + base };
      }
      this.rangeIndex++;
      this.base = 0;
    }
    throw new Error('the synthetic NHS number ranges are exhausted');
  }
}

/** Splits a seeded NHS number into its range and base, or null when it is not from a synthetic range. */
export function syntheticPosition(nhsNumber: string): { range: string; base: number } | null {
  const range = nhsNumber.slice(0, 3);
  if (!(SYNTHETIC_RANGES as readonly string[]).includes(range)) return null;
  return { range, base: Number(nhsNumber.slice(3, 9)) };
}

/**
 * A small seeded PRNG (mulberry32). Every child gets its own stream, keyed by the seed and
 * the child's NHS number base, so the data does not depend on batch size, order or append.
 */

/** murmur3's 32-bit finaliser: spreads neighbouring keys over the whole 32-bit space. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit stream key from the run's seed and a per-record key (both non-negative integers). */
export function streamKey(seed: number, key: number): number {
  return fmix32(fmix32(seed ^ 0x9e3779b9) ^ fmix32(key + 0x632be5ab));
}

export class Rng {
  private state = 0;

  constructor(key = 0) {
    this.reset(key);
  }

  /** Restarts the stream (reused per child to avoid allocating a generator per record). */
  reset(key: number): this {
    this.state = key >>> 0;
    return this;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by cumulative weights (ascending, last = total), as built by `cumulative()`. */
  weighted<T>(items: readonly T[], cumulativeWeights: readonly number[]): T {
    const target = this.next() * cumulativeWeights[cumulativeWeights.length - 1];
    for (let i = 0; i < cumulativeWeights.length; i++) if (target < cumulativeWeights[i]) return items[i];
    return items[items.length - 1];
  }
}

export function cumulative(weights: readonly number[]): number[] {
  let total = 0;
  return weights.map((w) => (total += w));
}

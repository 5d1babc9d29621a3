/**
 * A small, fast, seedable pseudo-random generator (mulberry32) whose state can be set from a
 * hash of `(seed, index)`, so that element `index` of a generated stream is computed in O(1)
 * without generating the elements before it.
 */
export class Prng {
  private state = 0;

  /** Reseeds for element `index` (a non-negative safe integer) of the stream with this `seed`. */
  reseed(seed: number, index: number): this {
    const lo = index >>> 0;
    const hi = Math.floor(index / 4294967296) >>> 0;
    this.state = hash32(hash32(seed ^ 0x9e3779b9) ^ hash32(lo ^ hash32(hi + 0x632be5ab)));
    return this;
  }

  /** A float in [0, 1). */
  float(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }
}

/** A 32-bit integer hash with good avalanche (the splitmix32 / murmur3 finaliser). */
export function hash32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A deterministic float in [0, 1) for a tuple of integers (for per-key or per-epoch choices). */
export function hashUnit(...parts: number[]): number {
  let h = 0x2545f491;
  for (const p of parts) h = hash32(h ^ hash32(p | 0) ^ Math.floor(p / 4294967296));
  return h / 4294967296;
}

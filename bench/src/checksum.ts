/**
 * Order-independent checksums of sink output, so that the runner's results can be compared with
 * the hand-written ceiling's (which emits the same results in another order).
 */

/** FNV-1a over the UTF-16 code units of `s`, as an unsigned 32-bit integer. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A 32-bit finaliser (good avalanche), so that nearby inputs give unrelated words. */
export function mix32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A number in [0, 2^32) that identifies `x` exactly enough for a checksum (floats: 1e-6 steps). */
export function numberWord(x: number): number {
  return Number.isInteger(x) ? x >>> 0 : Math.floor(x * 1e6) >>> 0;
}

/** What a counting sink has seen: how many values, a checksum, and the sum of a numeric field. */
export interface Tally {
  results: number;
  /** Sum (mod 2^32) of a hash of each result: independent of order. */
  checksum: number;
  /** Sum of the results' numeric values (window counts: equals the number of events). */
  valueSum: number;
}

export function newTally(): Tally {
  return { results: 0, checksum: 0, valueSum: 0 };
}

/** Adds a window result `(key, start, value)` to `t`. */
export function tallyWindow(t: Tally, key: string, start: number, value: number): void {
  t.results++;
  t.valueSum += value;
  const h = mix32(fnv1a(key) ^ mix32(start / 1000) ^ mix32(numberWord(value) + 0x9e3779b9));
  t.checksum = (t.checksum + h) >>> 0;
}

/** Adds a mapped element `(key, v)` to `t`. */
export function tallyElement(t: Tally, key: string, v: number): void {
  t.results++;
  t.valueSum += v;
  t.checksum = (t.checksum + mix32(fnv1a(key) ^ mix32(numberWord(v)))) >>> 0;
}

/**
 * Exactly rounded floating-point summation (SEMANTICS.md §6): the result is the exact sum of
 * the inputs rounded once to the nearest double (ties to even), so it does not depend on the
 * order of additions or on how the inputs were split into partial sums and merged.
 *
 * The algorithm is the one Python's `math.fsum` uses: Shewchuk's non-overlapping partials
 * ("Adaptive Precision Floating-Point Arithmetic", 1997) with a final rounding that handles the
 * half-way case across partials. Two additions to fsum:
 * - intermediate overflow of finite values is not an error: when two partials would add up to
 *   ±Infinity, 2^1023 is moved out of the larger one (exactly) into an integer counter;
 * - the accumulator is a plain structured-clonable object, and two of them merge exactly.
 */
import { doubleOfScaledBigInt, SCALED_2_POW_1023, scaledBigIntOf } from "./scaled-bigint.ts";

/**
 * The state of an exact sum. Plain data (checkpointed with v8.serialize).
 * Exact value: `overflow * 2^1023 + sum(partials)`, unless `special` is not 0.
 */
export interface ExactSum {
  /** Finite, non-zero, non-overlapping partial sums in increasing magnitude. */
  partials: number[];
  /** Signed count of 2^1023 units moved out of the partials to keep them finite. */
  overflow: number;
  /** Sum of the non-finite inputs: 0 if none, ±Infinity, or NaN (a NaN, or +Infinity and -Infinity). */
  special: number;
}

const TWO_POW_1023 = 2 ** 1023;

/** An empty exact sum (value 0). */
export function createExactSum(): ExactSum {
  return { partials: [], overflow: 0, special: 0 };
}

/**
 * Add `x` to `acc` exactly. Mutates and returns `acc`; allocates nothing unless the number of
 * partials grows (it stays small: at most about 40 for any doubles, usually 1 to 3).
 *
 * @example
 * const s = createExactSum();
 * for (const x of [1e308, 1, -1e308]) addToExactSum(s, x);
 * exactSumValue(s); // 1 (left-to-right addition gives 0)
 */
export function addToExactSum(acc: ExactSum, x: number): ExactSum {
  if (x - x !== 0) {
    // ±Infinity or NaN: fsum's special-value rules (inf + -inf = NaN, any NaN gives NaN).
    acc.special += x;
    return acc;
  }
  if (x === 0) return acc;
  const p = acc.partials;
  const count = p.length;
  let n = 0;
  for (let j = 0; j < count; j++) {
    let y = p[j]!;
    if (Math.abs(x) < Math.abs(y)) {
      const t = x;
      x = y;
      y = t;
    }
    let hi = x + y;
    while (hi - hi !== 0) {
      // Overflow. Then |x| >= 2^1023 (two values below 2^1023 sum to at most MAX_VALUE), and
      // x - sign(x) * 2^1023 is exact (Sterbenz). At most two rounds are needed.
      const unit = x > 0 ? TWO_POW_1023 : -TWO_POW_1023;
      x -= unit;
      acc.overflow += unit > 0 ? 1 : -1;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      hi = x + y;
    }
    // Fast two-sum (|x| >= |y|): hi + lo === x + y exactly.
    const lo = y - (hi - x);
    if (lo !== 0) p[n++] = lo;
    x = hi;
  }
  if (x !== 0) p[n++] = x;
  if (n !== p.length) p.length = n;
  return acc;
}

/** Add every partial of `b` into `a`, exactly. Mutates and returns `a`. */
export function mergeExactSums(a: ExactSum, b: ExactSum): ExactSum {
  const partials = a === b ? b.partials.slice() : b.partials;
  const overflow = b.overflow;
  for (let i = 0; i < partials.length; i++) addToExactSum(a, partials[i]!);
  a.overflow += overflow;
  a.special += b.special;
  return a;
}

/** The exact sum rounded to the nearest double (ties to even); 0 when empty. */
export function exactSumValue(acc: ExactSum): number {
  if (acc.special !== 0) return acc.special; // NaN !== 0 too
  if (acc.overflow !== 0) return viaBigInt(acc);
  const p = acc.partials;
  let n = p.length;
  if (n === 0) return 0;
  // From the top, add partials while the sum stays exact.
  let hi = p[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = p[--n]!;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  if (hi - hi !== 0) return viaBigInt(acc);
  // `hi` is `x + y` rounded and `lo` its error. If `lo` is exactly half an ulp, `hi` was
  // chosen by ties-to-even, but the partials below (same sign as `lo`) break the tie away
  // from `hi`: round the other way.
  if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (x - x !== 0) return viaBigInt(acc);
    if (x - hi === y) hi = x;
  }
  return hi;
}

/** Exact evaluation with BigInt: only when the sum has left the double range on the way. */
function viaBigInt(acc: ExactSum): number {
  let total = BigInt(acc.overflow) * SCALED_2_POW_1023;
  for (const x of acc.partials) total += scaledBigIntOf(x);
  return doubleOfScaledBigInt(total);
}

/**
 * The exact sum divided by `count` (a positive safe integer), rounded once to the nearest double
 * (ties to even): the exactly rounded mean (SEMANTICS.md §6). Rounding the sum first and then
 * dividing would round twice and can be one ulp off (0, 0, 35, 0.1, 19, -22 → 5.3500000000000005
 * instead of 5.35).
 */
export function exactMeanValue(acc: ExactSum, count: number): number {
  if (acc.special !== 0) return acc.special / count;
  const p = acc.partials;
  // One partial and no overflow: the sum is a double, and one IEEE division rounds once.
  if (acc.overflow === 0 && p.length <= 1) return (p[0] ?? 0) / count;
  let total = BigInt(acc.overflow) * SCALED_2_POW_1023;
  for (const x of p) total += scaledBigIntOf(x);
  return doubleOfScaledRatio(total, BigInt(count));
}

const bitLength = (n: bigint) => n.toString(2).length;

/** `n * 2^-1074 / d` (d > 0) rounded to the nearest double, ties to even. */
function doubleOfScaledRatio(n: bigint, d: bigint): number {
  if (n === 0n) return 0;
  const negative = n < 0n;
  const m = negative ? -n : n;
  // t = floor(log2(m / d)).
  let t = bitLength(m) - bitLength(d);
  if (t >= 0 ? m < d << BigInt(t) : m << BigInt(-t) < d) t--;
  // The result's ulp is 2^e: 53 significant bits, or the subnormal ulp 2^-1074.
  const e = Math.max(t - 1074 - 52, -1074);
  // q = round(m / d * 2^(-1074 - e)), ties to even.
  const shift = -1074 - e;
  const num = shift >= 0 ? m << BigInt(shift) : m;
  const den = shift >= 0 ? d : d << BigInt(-shift);
  let q = num / den;
  const twice = (num - q * den) * 2n;
  if (twice > den || (twice === den && (q & 1n) === 1n)) q++;
  // q <= 2^53, so Number(q) is exact and the product rounds only on overflow (to ±Infinity).
  const result = Number(q) * 2 ** e;
  return negative ? -result : result;
}

/**
 * The exactly rounded sum of `values` (like Python's `math.fsum`, without its overflow error).
 *
 * @example
 * exactSumOf([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]); // 1 (naive: 0.9999999999999999)
 */
export function exactSumOf(values: Iterable<number>): number {
  const acc = createExactSum();
  for (const x of values) addToExactSum(acc, x);
  return exactSumValue(acc);
}

/**
 * Exact floating-point summation for the reference model: every finite double is an integer
 * multiple of 2^-1074, so sums are computed exactly as BigInt multiples of 2^-1074 and rounded
 * once, to nearest with ties to even. Deliberately simple, not fast.
 */

const SCALE_BITS = 1074n;

/** `x` as an exact integer multiple of 2^-1074 (x must be finite). */
function toScaledInteger(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biasedExponent = (bits >> 52n) & 0x7ffn;
  const fraction = bits & ((1n << 52n) - 1n);
  const scaled = biasedExponent === 0n ? fraction : (fraction | (1n << 52n)) << (biasedExponent - 1n);
  return negative ? -scaled : scaled;
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds the rational `numerator / denominator` (denominator > 0) to the nearest double, ties to even. */
export function roundRationalToDouble(numerator: bigint, denominator: bigint): number {
  if (denominator <= 0n) throw new RangeError("denominator must be positive");
  if (numerator === 0n) return 0;
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  // Choose e so that the quotient n / (d * 2^e) lies in [2^52, 2^53), but never below 2^-1074.
  let e = bitLength(n) - bitLength(denominator) - 53;
  const quotientAt = (exp: number): [bigint, bigint, bigint] => {
    const num = exp >= 0 ? n : n << BigInt(-exp);
    const den = exp >= 0 ? denominator << BigInt(exp) : denominator;
    return [num / den, num % den, den];
  };
  let [q, r, d] = quotientAt(e);
  while (q >= 1n << 53n) [q, r, d] = quotientAt(++e);
  while (q < 1n << 52n && e > -1074) [q, r, d] = quotientAt(--e);
  if (e < -1074) {
    e = -1074;
    [q, r, d] = quotientAt(e);
  }
  const twice = 2n * r;
  if (twice > d || (twice === d && (q & 1n) === 1n)) q += 1n;
  const magnitude = Number(q) * 2 ** e;
  return negative ? -magnitude : magnitude;
}

/** IEEE result of a sum that involves non-finite values, or null when all values are finite. */
function nonFiniteSum(values: readonly number[]): number | null {
  let positiveInfinity = false;
  let negativeInfinity = false;
  for (const v of values) {
    if (Number.isNaN(v)) return Number.NaN;
    if (v === Number.POSITIVE_INFINITY) positiveInfinity = true;
    if (v === Number.NEGATIVE_INFINITY) negativeInfinity = true;
  }
  if (positiveInfinity && negativeInfinity) return Number.NaN;
  if (positiveInfinity) return Number.POSITIVE_INFINITY;
  if (negativeInfinity) return Number.NEGATIVE_INFINITY;
  return null;
}

function exactScaledSum(values: readonly number[]): bigint {
  let total = 0n;
  for (const v of values) total += toScaledInteger(v);
  return total;
}

/** The exactly rounded sum of `values` (independent of their order). Empty sum is 0. */
export function exactSum(values: readonly number[]): number {
  const special = nonFiniteSum(values);
  if (special !== null) return special;
  return roundRationalToDouble(exactScaledSum(values), 1n << SCALE_BITS);
}

/** The exactly rounded mean: exact sum divided by the count, rounded once. */
export function exactMean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const special = nonFiniteSum(values);
  if (special !== null) return special;
  return roundRationalToDouble(exactScaledSum(values), BigInt(values.length) << SCALE_BITS);
}

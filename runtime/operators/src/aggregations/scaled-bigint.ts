/**
 * Exact conversions between finite doubles and integers in units of 2^-1074 (the smallest
 * subnormal), where every finite double is an integer. Used by the rare exact-sum paths that
 * leave the double range; not on the per-record path.
 */

/** 2^-1074 units per 2^1023: the weight of one overflow unit in {@link ExactSum}. */
export const SCALED_2_POW_1023 = 1n << 2097n;

const view = new DataView(new ArrayBuffer(8));

/** `x * 2^1074` as an exact BigInt. `x` must be finite. */
export function scaledBigIntOf(x: number): bigint {
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const exponentBits = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  // Normal numbers: x = (2^52 + fraction) * 2^(e - 1075); subnormal: x = fraction * 2^-1074.
  if (exponentBits !== 0) mantissa = (mantissa | (1n << 52n)) << BigInt(exponentBits - 1);
  return high >>> 31 === 1 ? -mantissa : mantissa;
}

/** `n * 2^-1074` rounded to the nearest double, ties to even (±Infinity beyond the range). */
export function doubleOfScaledBigInt(n: bigint): number {
  if (n === 0n) return 0;
  const negative = n < 0n;
  const magnitude = negative ? -n : n;
  const bits = magnitude.toString(2).length;
  let result: number;
  if (bits <= 53) {
    // Exact: an integer below 2^53 times 2^-1074 is a representable (sub)normal.
    result = Number(magnitude) * 2 ** -1074;
  } else {
    // Keep at most 64 significant bits and fold everything below into a sticky bit: rounding
    // those to 53 (Number() rounds ties to even) then gives the correctly rounded result. With
    // 54 to 64 bits nothing is dropped (shift 0): a negative shift would scale by less than
    // 2^-1074, which underflows to 0. The result is normal here, so scaling it is exact.
    const shift = Math.max(bits - 64, 0);
    let top = magnitude >> BigInt(shift);
    if (top << BigInt(shift) !== magnitude) top |= 1n;
    result = scaleByPowerOfTwo(Number(top), shift - 1074);
  }
  return negative ? -result : result;
}

/** `x * 2^e`, exact unless it overflows (then ±Infinity, which is the correct rounding). */
function scaleByPowerOfTwo(x: number, e: number): number {
  // 2^e is representable for e in [-1074, 1023]; split larger exponents.
  if (e > 1023) return x * 2 ** 1023 * 2 ** (e - 1023);
  return x * 2 ** e;
}

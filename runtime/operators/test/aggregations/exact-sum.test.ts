import v8 from "node:v8";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addToExactSum,
  createExactSum,
  type ExactSum,
  exactMeanValue,
  exactSumOf,
  exactSumValue,
  mergeExactSums,
} from "../../src/aggregations/exact-sum.ts";

// ---- Reference: exact rational sum with BigInt, rounded by comparing neighbouring doubles ----

const view = new DataView(new ArrayBuffer(8));
const bitsOf = (x: number): bigint => {
  view.setFloat64(0, x);
  return view.getBigUint64(0);
};
const fromBits = (b: bigint): number => {
  view.setBigUint64(0, b);
  return view.getFloat64(0);
};

/** x * 2^1074 exactly, computed by repeated doubling (independent of the code under test). */
function scaled(x: number): bigint {
  if (x === 0) return 0n;
  let m = Math.abs(x);
  let e = 1074;
  // Make m an integer: multiply by 2 (exact) until it is, keeping track of the exponent.
  while (!Number.isInteger(m)) {
    m *= 2;
    e -= 1;
  }
  const v = BigInt(m) * 2n ** BigInt(e);
  return x < 0 ? -v : v;
}

const MAX_SCALED = scaled(Number.MAX_VALUE);
const HALF_ULP_OF_MAX = scaled(2 ** 970);

/** Round n * 2^-1074 to the nearest double, ties to the even significand. */
function roundReference(n: bigint): number {
  if (n === 0n) return 0;
  const neg = n < 0n;
  const a = neg ? -n : n;
  let r: number;
  if (a >= MAX_SCALED + HALF_ULP_OF_MAX) r = Number.POSITIVE_INFINITY;
  else {
    // A guess within a few ulps, then pick the nearest of its neighbours exactly.
    const shift = Math.max(0, a.toString(2).length - 60);
    let guess = Number(a >> BigInt(shift)) * 2 ** Math.min(shift - 1074, 1023);
    if (shift - 1074 > 1023) guess *= 2 ** (shift - 1074 - 1023);
    guess = Math.min(guess, Number.MAX_VALUE);
    const b = bitsOf(guess);
    const candidates = [-3n, -2n, -1n, 0n, 1n, 2n, 3n]
      .map((d) => b + d)
      .filter((c) => c >= 0n && c <= bitsOf(Number.MAX_VALUE))
      .map(fromBits);
    let best = candidates[0]!;
    let bestDist = -1n;
    for (const c of candidates) {
      const d = scaled(c) - a;
      const dist = d < 0n ? -d : d;
      if (bestDist < 0n || dist < bestDist || (dist === bestDist && (bitsOf(c) & 1n) === 0n)) {
        best = c;
        bestDist = dist;
      }
    }
    r = best;
  }
  return neg ? -r : r;
}

const referenceSum = (xs: readonly number[]): number =>
  roundReference(xs.reduce((s, x) => s + scaled(x), 0n));

/** Round (n * 2^-1074) / d (d > 0) to the nearest double, ties to even, by comparing neighbours. */
function roundRatioReference(n: bigint, d: bigint): number {
  if (n === 0n) return 0;
  const neg = n < 0n;
  const a = neg ? -n : n;
  const guess = roundReference(a / d);
  if (!Number.isFinite(guess)) return neg ? -guess : guess;
  const b = bitsOf(guess);
  let best = guess;
  let bestDist = -1n;
  for (const delta of [-3n, -2n, -1n, 0n, 1n, 2n, 3n]) {
    const c = b + delta;
    if (c < 0n || c > bitsOf(Number.MAX_VALUE)) continue;
    const x = fromBits(c);
    const diff = scaled(x) * d - a;
    const dist = diff < 0n ? -diff : diff;
    if (bestDist < 0n || dist < bestDist || (dist === bestDist && (c & 1n) === 0n)) {
      best = x;
      bestDist = dist;
    }
  }
  return neg ? -best : best;
}

// ---- Generators of adversarial doubles ----

/** Doubles with exponents spread over the whole range, biased to the extremes. */
const wideDouble = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc
    .tuple(
      fc.boolean(),
      fc.integer({ min: 1, max: 2 ** 53 - 1 }),
      fc.oneof(
        fc.integer({ min: -1074, max: -1000 }),
        fc.integer({ min: -60, max: 60 }),
        fc.integer({ min: 900, max: 971 }),
      ),
    )
    .map(([neg, m, e]) => {
      const v = m * 2 ** Math.max(e, -1074);
      return Number.isFinite(v) ? (neg ? -v : v) : neg ? -Number.MAX_VALUE : Number.MAX_VALUE;
    }),
  fc.constantFrom(
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    2 ** 1023,
    2 ** 970,
    1,
    -1,
    0.1,
  ),
);

/** Lists with heavy cancellation: values plus (some of) their negations, perturbed by tiny ones. */
const cancelling = fc
  .tuple(fc.array(wideDouble, { maxLength: 12 }), fc.array(wideDouble, { maxLength: 4 }))
  .map(([xs, extra]) => [...xs, ...xs.map((x) => -x).slice(0, Math.max(0, xs.length - 1)), ...extra]);

const doubleLists = fc.oneof(fc.array(wideDouble, { maxLength: 30 }), cancelling);

/** Split xs into random consecutive chunks (after shuffling) and merge the chunk sums as a random tree. */
function treeSum(xs: readonly number[], cuts: readonly number[], shape: readonly boolean[]): ExactSum {
  const chunks: ExactSum[] = [];
  let start = 0;
  for (const c of [...cuts.map((c) => c % (xs.length + 1)), xs.length].sort((a, b) => a - b)) {
    const acc = createExactSum();
    for (const x of xs.slice(start, c)) addToExactSum(acc, x);
    chunks.push(acc);
    start = Math.max(start, c);
  }
  let i = 0;
  while (chunks.length > 1) {
    const j = (shape[i++ % Math.max(1, shape.length)] ? chunks.length - 2 : 0) % (chunks.length - 1);
    const merged = mergeExactSums(chunks[j]!, chunks[j + 1]!);
    chunks.splice(j, 2, merged);
  }
  return chunks[0]!;
}

describe("exact sum", () => {
  it("the reference itself rounds known cases correctly", () => {
    expect(referenceSum([0.1, 0.2])).toBe(0.30000000000000004);
    expect(referenceSum([1, 2 ** -53])).toBe(1); // tie: to even
    expect(referenceSum([1, 2 ** -53, 2 ** -105])).toBe(1 + 2 ** -52);
    expect(referenceSum([Number.MAX_VALUE, 2 ** 970])).toBe(Number.POSITIVE_INFINITY);
  });

  it("naive left-to-right summation differs; the exact sum does not", () => {
    const xs = [1e308, 1, -1e308];
    expect(xs.reduce((a, b) => a + b, 0)).toBe(0);
    expect(exactSumOf(xs)).toBe(1);
    const tenths = new Array<number>(10).fill(0.1);
    expect(tenths.reduce((a, b) => a + b, 0)).toBe(0.9999999999999999);
    expect(exactSumOf(tenths)).toBe(1);
    // Order-dependence of naive summation, none for the exact sum:
    expect(1 + 1e100 - 1e100).not.toBe(1e100 - 1e100 + 1);
    expect(exactSumOf([1, 1e100, -1e100])).toBe(exactSumOf([1e100, -1e100, 1]));
  });

  it("rounds half-way cases across partials (fsum's correction)", () => {
    // 1 + 2^-53 is a tie (rounds to 1); a tiny extra breaks it upwards; a tiny negative one downwards.
    expect(exactSumOf([1, 2 ** -53])).toBe(1);
    expect(exactSumOf([1, 2 ** -53, 2 ** -1074])).toBe(1 + 2 ** -52);
    expect(exactSumOf([1 + 2 ** -52, 2 ** -53])).toBe(1 + 2 ** -51); // tie to even, upwards
    expect(exactSumOf([1 + 2 ** -52, 2 ** -53, -(2 ** -1074)])).toBe(1 + 2 ** -52);
  });

  it("handles intermediate overflow of finite values", () => {
    const M = Number.MAX_VALUE;
    expect(exactSumOf([M, M, -M])).toBe(M);
    expect(exactSumOf([1e308, 1e308, -1e308])).toBe(1e308);
    expect(exactSumOf([M, M, M, -M, -M, -M, 1])).toBe(1);
    expect(exactSumOf([-M, -M, 2 ** -1074, M, M])).toBe(2 ** -1074);
    // The exact sum is MAX_VALUE + half an ulp: a tie, which rounds to even, i.e. to Infinity.
    expect(exactSumOf([M, 2 ** 970])).toBe(Number.POSITIVE_INFINITY);
    // ... and just below the tie it is MAX_VALUE.
    expect(exactSumOf([M, 2 ** 970, -(2 ** -1074)])).toBe(M);
    expect(exactSumOf([-M, -(2 ** 970), 2 ** -1074])).toBe(-M);
    expect(exactSumOf([M, M])).toBe(Number.POSITIVE_INFINITY);
  });

  it("treats non-finite inputs as fsum does (NaN for inf - inf), in any order", () => {
    const inf = Number.POSITIVE_INFINITY;
    expect(exactSumOf([1, inf, 2])).toBe(inf);
    expect(exactSumOf([-inf, 1])).toBe(-inf);
    expect(exactSumOf([inf, 1, -inf])).toBeNaN();
    expect(exactSumOf([1, Number.NaN])).toBeNaN();
    expect(exactSumOf([inf, Number.NaN])).toBeNaN();
    expect(exactSumOf([Number.MAX_VALUE, Number.MAX_VALUE, -inf])).toBe(-inf);
    expect(exactSumOf([])).toBe(0);
    expect(exactSumOf([-0, -0])).toBe(0);
  });

  it("equals the correctly rounded exact sum", () => {
    fc.assert(
      fc.property(doubleLists, (xs) => {
        expect(exactSumOf(xs)).toBe(referenceSum(xs));
      }),
      { numRuns: 300 },
    );
  });

  it("is independent of order and of how partial sums are merged", () => {
    fc.assert(
      fc.property(
        doubleLists.chain((xs) =>
          fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length })),
        ),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.boolean(), { maxLength: 6 }),
        ([xs, permuted], cuts, shape) => {
          const expected = referenceSum(xs);
          expect(exactSumValue(treeSum(permuted, cuts, shape))).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps its partials non-overlapping and few", () => {
    fc.assert(
      fc.property(fc.array(wideDouble, { maxLength: 200 }), (xs) => {
        const acc = createExactSum();
        for (const x of xs) addToExactSum(acc, x);
        const p = acc.partials;
        expect(p.length).toBeLessThanOrEqual(40);
        for (let i = 1; i < p.length; i++) expect(Math.abs(p[i - 1]!)).toBeLessThan(Math.abs(p[i]!));
      }),
      { numRuns: 100 },
    );
  });

  it("survives a v8 serialize round trip and keeps summing exactly", () => {
    fc.assert(
      fc.property(doubleLists, doubleLists, (xs, ys) => {
        const acc = createExactSum();
        for (const x of xs) addToExactSum(acc, x);
        const restored = v8.deserialize(v8.serialize(acc)) as ExactSum;
        for (const y of ys) addToExactSum(restored, y);
        expect(exactSumValue(restored)).toBe(referenceSum([...xs, ...ys]));
      }),
      { numRuns: 100 },
    );
  });

  it("merging an accumulator with itself doubles it", () => {
    const acc = createExactSum();
    for (const x of [Number.MAX_VALUE, 0.1, 3]) addToExactSum(acc, x);
    mergeExactSums(acc, acc);
    expect(exactSumValue(acc)).toBe(referenceSum([Number.MAX_VALUE, 0.1, 3, Number.MAX_VALUE, 0.1, 3]));
  });
});

describe("exactMeanValue", () => {
  it("rounds the exact sum divided by the count once (found by the conformance suite)", () => {
    // Shrunk counterexample: mean of v over 0, 0, 35, 0.1, 19, -22. Rounding the sum to 32.1
    // first and then dividing gave 5.3500000000000005.
    const acc = createExactSum();
    for (const x of [0, 0, 35, 0.1, 19, -22]) addToExactSum(acc, x);
    expect(exactMeanValue(acc, 6)).toBe(5.35);
  });

  it("equals the exactly rounded quotient for any values and count", () => {
    fc.assert(
      fc.property(doubleLists, fc.integer({ min: 1, max: 2 ** 40 }), (xs, extra) => {
        const acc = createExactSum();
        for (const x of xs) addToExactSum(acc, x);
        const count = Math.max(1, xs.length) + (extra % 7 === 0 ? extra : 0);
        const exact = xs.reduce((sum, x) => sum + scaled(x), 0n);
        expect(exactMeanValue(acc, count)).toBe(roundRatioReference(exact, BigInt(count)));
      }),
      { numRuns: 500 },
    );
  });
});

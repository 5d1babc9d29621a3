import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exactMean, exactSum, roundRationalToDouble } from "../../src/index.ts";

describe("exact float sum", () => {
  it("rounds the exact sum once", () => {
    expect(exactSum([0.1, 0.2, 0.3])).toBe(0.6);
    expect(0.1 + 0.2 + 0.3).not.toBe(0.6);
    expect(exactSum([1e16, 1, -1e16])).toBe(1);
    expect(exactSum([5e-324, 5e-324])).toBe(1e-323);
    expect(exactSum([Number.MAX_VALUE, Number.MAX_VALUE])).toBe(Number.POSITIVE_INFINITY);
    expect(exactSum([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])).toBeNaN();
    expect(exactSum([])).toBe(0);
  });

  it("rounds ties to even", () => {
    // 2^53 + 1 is exactly between 2^53 and 2^53 + 2: ties to even gives 2^53.
    expect(exactSum([2 ** 53, 1])).toBe(2 ** 53);
    expect(exactSum([2 ** 53 + 2, 1])).toBe(2 ** 53 + 4);
    expect(roundRationalToDouble(1n, 3n)).toBe(1 / 3);
    expect(roundRationalToDouble(-7n, 2n)).toBe(-3.5);
  });

  it("mean is the exact sum divided by the count, rounded once", () => {
    expect(exactMean([1, 2])).toBe(1.5);
    expect(exactMean([0.1, 0.2, 0.3])).toBe(0.2);
  });

  it("does not depend on the order of the summands", () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 });
    fc.assert(
      fc.property(
        fc
          .array(finite, { maxLength: 20 })
          .chain((xs) => fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length }))),
        ([xs, ys]) => {
          expect(Object.is(exactSum(xs) + 0, exactSum(ys) + 0)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("agrees with plain addition on small integers", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e6, max: 1e6 })), (xs) => {
        expect(exactSum(xs)).toBe(xs.reduce((a, b) => a + b, 0));
      }),
    );
  });
});

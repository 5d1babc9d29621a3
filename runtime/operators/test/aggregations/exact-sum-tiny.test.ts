import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exactSumOf } from "../../src/index.ts";

const M = Number.MAX_VALUE;

describe("exact sum through the overflow path", () => {
  // Regression: a result of 54 to 64 significant bits in units of 2^-1074 (a normal double just
  // above 2^-1021) came out as ±0 when the sum had overflowed on the way (found by the property
  // test in exact-sum.test.ts: [M, M, -4.45e-308, -M, -M] gave -0).
  it("returns a small normal result exactly after intermediate overflow", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 2 ** -1022, max: 2 ** -1000, noNaN: true }),
        fc.boolean(),
        (t, negative) => {
          const x = negative ? -t : t;
          expect(exactSumOf([M, M, x, -M, -M])).toBe(x);
          expect(exactSumOf([-M, x, -M, M, M])).toBe(x);
        },
      ),
      { numRuns: 300 },
    );
    expect(exactSumOf([M, M, -4.4501477170144023e-308 * 1.5, -M, -M])).toBe(-4.4501477170144023e-308 * 1.5);
  });
});

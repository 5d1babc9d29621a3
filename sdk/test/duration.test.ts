import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration, TributaryError } from "../src/index.ts";

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

function thrown(f: () => unknown): TributaryError {
  try {
    f();
  } catch (error) {
    if (error instanceof TributaryError) return error;
    throw error;
  }
  throw new Error("expected a TributaryError");
}

describe("parseDuration", () => {
  it("reads <n><unit> strings as n times the unit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.constantFrom(...(Object.keys(UNIT_MS) as (keyof typeof UNIT_MS)[])),
        (n, unit) => {
          expect(parseDuration(`${n}${unit}`, "d")).toBe(n * UNIT_MS[unit]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("round-trips every safe non-negative integer through formatDuration", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        expect(parseDuration(formatDuration(n), "d")).toBe(n);
      }),
      { numRuns: 300 },
    );
  });

  it("formats in the largest unit that divides exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (n) => {
        const text = formatDuration(n * 60_000);
        const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
        expect(match).not.toBeNull();
        const unit = match![2] as keyof typeof UNIT_MS;
        expect(UNIT_MS[unit]).toBeGreaterThanOrEqual(60_000);
      }),
      { numRuns: 100 },
    );
  });

  it("accepts numbers as milliseconds", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        expect(parseDuration(n, "d")).toBe(n);
      }),
      { numRuns: 100 },
    );
  });

  it("rejects garbage strings, naming the field, the value and the fix", () => {
    const garbage = fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((s) => !/^\s*-?(\d+)?\.?\d+ *[a-z]*\s*$/i.test(s));
    fc.assert(
      fc.property(garbage, fc.constantFrom("window size", "session gap", "allowedLateness"), (bad, field) => {
        const error = thrown(() => parseDuration(bad, field));
        expect(error.field).toBe(field);
        expect(error.message.startsWith(`${field}: ${JSON.stringify(bad)}`)).toBe(true);
        expect(error.message).toContain('"5m"');
      }),
      { numRuns: 200 },
    );
  });

  it("rejects negative, fractional and non-finite numbers", () => {
    const bad = fc.oneof(
      fc.integer({ min: -1_000_000, max: -1 }),
      fc.double({ noNaN: true, min: 0.001, max: 1e6 }).filter((x) => !Number.isInteger(x)),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 60),
    );
    fc.assert(
      fc.property(bad, (value) => {
        const error = thrown(() => parseDuration(value, "tumbling window size"));
        expect(error.message).toContain("tumbling window size:");
        expect(error.message).toContain(String(value));
      }),
      { numRuns: 200 },
    );
  });

  it("explains why a parseable string is still not a duration", () => {
    expect(thrown(() => parseDuration("-5s", "gap")).message).toContain("is negative");
    expect(thrown(() => parseDuration("1.5ms", "gap")).message).toContain("whole number");
    expect(thrown(() => parseDuration("5 fortnights", "window size")).message).toBe(
      'window size: "5 fortnights" is not a duration; use a number of milliseconds or a string like "5s", "5m", "1h"',
    );
  });
});

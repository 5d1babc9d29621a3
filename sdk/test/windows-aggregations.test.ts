import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { global, session, sliding, TributaryError, topK, tumbling } from "../src/index.ts";

function errorOf(f: () => unknown): TributaryError {
  try {
    f();
  } catch (error) {
    if (error instanceof TributaryError) return error;
    throw error;
  }
  throw new Error("expected a TributaryError");
}

describe("window assigners", () => {
  it("convert durations to milliseconds", () => {
    expect(tumbling("5m")).toEqual({ kind: "tumbling", sizeMs: 300_000, offsetMs: 0 });
    expect(tumbling(1000, { offset: "250ms" })).toEqual({ kind: "tumbling", sizeMs: 1000, offsetMs: 250 });
    expect(sliding("1h", "5m")).toEqual({
      kind: "sliding",
      sizeMs: 3_600_000,
      slideMs: 300_000,
      offsetMs: 0,
    });
    expect(session("30s")).toEqual({ kind: "session", gapMs: 30_000 });
    expect(global()).toEqual({ kind: "global" });
  });

  it("keep any positive size", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        (size, slide) => {
          expect(tumbling(size)).toMatchObject({ sizeMs: size });
          expect(sliding(size, slide)).toMatchObject({ sizeMs: size, slideMs: slide });
          expect(session(size)).toMatchObject({ gapMs: size });
        },
      ),
      { numRuns: 100 },
    );
  });

  it("reject zero sizes, naming the argument and the fix", () => {
    const cases: [() => unknown, string][] = [
      [() => tumbling(0), "tumbling window size"],
      [() => tumbling("0s"), "tumbling window size"],
      [() => sliding("1h", 0), "sliding window slide"],
      [() => sliding(0, "1m"), "sliding window size"],
      [() => session("0ms"), "session window gap"],
    ];
    for (const [make, field] of cases) {
      const error = errorOf(make);
      expect(error.field).toBe(field);
      expect(error.message).toContain(`${field}: must be greater than 0`);
      expect(error.hint).toMatch(/positive duration/);
    }
  });

  it("reject bad offsets and sizes with the argument named", () => {
    expect(errorOf(() => tumbling("5 minutes later")).field).toBe("tumbling window size");
    expect(errorOf(() => sliding("1h", "5m", { offset: "soon" })).message).toContain(
      "sliding window offset:",
    );
  });
});

describe("aggregations", () => {
  it("topK rejects k that is not a positive integer", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ max: 0 }),
          fc.double().filter((x) => !Number.isInteger(x)),
        ),
        (k) => {
          const error = errorOf(() => topK(k, (x: number) => x));
          expect(error.field).toBe("topK k");
          expect(error.message).toContain("positive");
        },
      ),
      { numRuns: 100 },
    );
  });
});

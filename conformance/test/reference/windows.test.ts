import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assignFixedWindows, flooredMod, mergeSessions } from "../../src/index.ts";

describe("window assignment", () => {
  it("tumbling windows are correct for negative timestamps and offsets", () => {
    expect(assignFixedWindows({ kind: "tumbling", sizeMs: 10, offsetMs: 0 }, -1)).toEqual([
      { start: -10, end: 0 },
    ]);
    expect(assignFixedWindows({ kind: "tumbling", sizeMs: 10, offsetMs: 0 }, -10)).toEqual([
      { start: -10, end: 0 },
    ]);
    expect(assignFixedWindows({ kind: "tumbling", sizeMs: 10, offsetMs: -3 }, 7)).toEqual([
      { start: 7, end: 17 },
    ]);
    expect(assignFixedWindows({ kind: "tumbling", sizeMs: 10, offsetMs: -3 }, 6)).toEqual([
      { start: -3, end: 7 },
    ]);
  });

  it("sliding windows: every [s, s+size) with s ≡ offset (mod slide) containing ts", () => {
    expect(assignFixedWindows({ kind: "sliding", sizeMs: 20, slideMs: 10, offsetMs: 0 }, 25)).toEqual([
      { start: 10, end: 30 },
      { start: 20, end: 40 },
    ]);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: -200, max: 200 }),
        (size, slide, offset, ts) => {
          const got = assignFixedWindows(
            { kind: "sliding", sizeMs: size, slideMs: slide, offsetMs: offset },
            ts,
          );
          const expected = [];
          for (let s = ts - size - slide; s <= ts + slide; s++) {
            if (flooredMod(s - offset, slide) === 0 && s <= ts && ts < s + size)
              expected.push({ start: s, end: s + size });
          }
          expect(got).toEqual(expected);
        },
      ),
    );
  });

  it("sessions merge when they overlap or touch, in any order", () => {
    expect(mergeSessions([10, 0, 25], 10).map((s) => s.window)).toEqual([
      { start: 0, end: 20 },
      { start: 25, end: 35 },
    ]);
    expect(mergeSessions([0, 11], 10).map((s) => s.window)).toEqual([
      { start: 0, end: 10 },
      { start: 11, end: 21 },
    ]);
  });
});

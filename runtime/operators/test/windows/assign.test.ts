import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  floorMod,
  latestSlidingStart,
  mergeSessions,
  sessionsTouch,
  slidingWindows,
  tumblingStart,
  type WindowBounds,
} from "../../src/windows/assign.ts";
import { isDroppedFromFixedWindow, isDroppedFromSession } from "../../src/windows/lateness.ts";

const ts = fc.integer({ min: -1_000_000_000, max: 1_000_000_000 });
const size = fc.integer({ min: 1, max: 100_000 });
const offset = fc.integer({ min: -1_000_000, max: 1_000_000 });

describe("tumbling assignment", () => {
  it("assigns the aligned window that contains ts (negative ts too)", () => {
    fc.assert(
      fc.property(ts, size, offset, (t, s, o) => {
        const start = tumblingStart(t, s, o);
        expect(start <= t && t < start + s).toBe(true);
        expect(floorMod(start - o, s)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("handles the boundaries below zero", () => {
    expect(tumblingStart(-1, 10, 0)).toBe(-10);
    expect(tumblingStart(-10, 10, 0)).toBe(-10);
    expect(tumblingStart(-11, 10, 0)).toBe(-20);
    expect(tumblingStart(0, 10, 0)).toBe(0);
    expect(tumblingStart(4, 10, 5)).toBe(-5);
  });
});

describe("sliding assignment", () => {
  it("gives every aligned window containing ts, exactly size/slide of them when divisible", () => {
    fc.assert(
      fc.property(
        ts,
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 12 }),
        offset,
        (t, slide, k, o) => {
          const s = slide * k;
          const ws = slidingWindows(t, s, slide, o);
          expect(ws).toHaveLength(k);
          for (const w of ws) {
            expect(w.start <= t && t < w.end).toBe(true);
            expect(w.end - w.start).toBe(s);
            expect(floorMod(w.start - o, slide)).toBe(0);
          }
          expect(new Set(ws.map((w) => w.start)).size).toBe(k);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("misses no aligned window when size is not a multiple of slide", () => {
    fc.assert(
      fc.property(
        ts,
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 200 }),
        offset,
        (t, slide, s, o) => {
          const starts = new Set(slidingWindows(t, s, slide, o).map((w) => w.start));
          // Brute force: aligned starts in (t - s, t].
          const first = latestSlidingStart(t, slide, o);
          let expected = 0;
          for (let st = first; st > t - s; st -= slide) {
            expected++;
            expect(starts.has(st)).toBe(true);
          }
          expect(starts.size).toBe(expected);
          expect(floorMod(first - o, slide)).toBe(0);
          expect(first <= t && first + slide > t).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("session merging", () => {
  const windows = fc.array(
    fc.record({ start: fc.integer({ min: -200, max: 200 }), len: fc.integer({ min: 1, max: 30 }) }),
    { maxLength: 25 },
  );
  const toBounds = (xs: { start: number; len: number }[]): WindowBounds[] =>
    xs.map((x) => ({ start: x.start, end: x.start + x.len }));

  it("is independent of input order, disjoint, not touching, and covers every input", () => {
    fc.assert(
      fc.property(windows, fc.infiniteStream(fc.nat()), (xs, perm) => {
        const ws = toBounds(xs);
        const merged = mergeSessions(ws);
        const it = perm[Symbol.iterator]();
        const shuffled = [...ws].sort(() => ((it.next().value as number) % 3) - 1);
        expect(mergeSessions(shuffled)).toEqual(merged);
        for (let i = 1; i < merged.length; i++) expect(merged[i - 1]!.end < merged[i]!.start).toBe(true);
        for (const w of ws) {
          expect(merged.filter((m) => m.start <= w.start && w.end <= m.end)).toHaveLength(1);
        }
        // Every merged window is exactly the hull of the inputs it covers.
        for (const m of merged) {
          const inside = ws.filter((w) => m.start <= w.start && w.end <= m.end);
          expect(Math.min(...inside.map((w) => w.start))).toBe(m.start);
          expect(Math.max(...inside.map((w) => w.end))).toBe(m.end);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("merges windows that only touch", () => {
    expect(sessionsTouch({ start: 0, end: 10 }, { start: 10, end: 20 })).toBe(true);
    expect(
      mergeSessions([
        { start: 10, end: 20 },
        { start: 0, end: 10 },
      ]),
    ).toEqual([{ start: 0, end: 20 }]);
    expect(
      mergeSessions([
        { start: 0, end: 10 },
        { start: 11, end: 20 },
      ]),
    ).toHaveLength(2);
  });
});

describe("lateness rules", () => {
  it("fixed windows drop iff end + L <= w; sessions iff ts + L < w", () => {
    expect(isDroppedFromFixedWindow(10, 0, 10)).toBe(true);
    expect(isDroppedFromFixedWindow(10, 0, 9)).toBe(false);
    expect(isDroppedFromFixedWindow(10, 5, 14)).toBe(false);
    expect(isDroppedFromSession(10, 0, 10)).toBe(false);
    expect(isDroppedFromSession(10, 0, 11)).toBe(true);
    expect(isDroppedFromFixedWindow(10, 0, Number.NEGATIVE_INFINITY)).toBe(false);
  });
});

/**
 * Window assignment (SEMANTICS.md §3). Pure functions; windows are half-open `[start, end)`.
 */

/** A half-open window `[start, end)` in event-time milliseconds. */
export interface WindowBounds {
  readonly start: number;
  readonly end: number;
}

/** The single window of `global()`. */
export const GLOBAL_WINDOW: WindowBounds = Object.freeze({
  start: Number.MIN_SAFE_INTEGER,
  end: Number.MAX_SAFE_INTEGER,
});

/** Floored modulo: the result has the sign of `m` (so `floorMod(-1, 10) === 9`). */
export function floorMod(x: number, m: number): number {
  const r = x % m;
  return r < 0 ? r + m : r + 0; // `+ 0` turns -0 into 0
}

/**
 * Start of the tumbling window of size `size` and offset `offset` that contains `ts`.
 *
 * @example
 * ```ts
 * tumblingStart(-1, 10, 0); // -10: the window [-10, 0)
 * ```
 */
export function tumblingStart(ts: number, size: number, offset: number): number {
  return ts - floorMod(ts - offset, size);
}

/**
 * Start of the newest sliding window containing `ts` (the largest `s ≡ offset (mod slide)` with
 * `s <= ts`). The other windows start at `s - slide, s - 2·slide, …` while `start > ts - size`.
 */
export function latestSlidingStart(ts: number, slide: number, offset: number): number {
  return ts - floorMod(ts - offset, slide);
}

/**
 * Every sliding window containing `ts`, newest first. Allocates; the window operator walks the
 * starts arithmetically instead.
 */
export function slidingWindows(ts: number, size: number, slide: number, offset: number): WindowBounds[] {
  const out: WindowBounds[] = [];
  for (let s = latestSlidingStart(ts, slide, offset); s > ts - size; s -= slide) {
    out.push({ start: s, end: s + size });
  }
  return out;
}

/** The initial session window of an element: `[ts, ts + gap)`. */
export function sessionWindow(ts: number, gap: number): WindowBounds {
  return { start: ts, end: ts + gap };
}

/** Whether two windows overlap or touch, so that sessions merge them. */
export function sessionsTouch(a: WindowBounds, b: WindowBounds): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/**
 * Merge a set of session windows: windows that overlap or touch, directly or through others,
 * become one `[min start, max end)`. The result is sorted by start and does not depend on the
 * order of the input.
 */
export function mergeSessions(windows: readonly WindowBounds[]): WindowBounds[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: { start: number; end: number }[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.start <= last.end) {
      if (w.end > last.end) last.end = w.end;
    } else {
      out.push({ start: w.start, end: w.end });
    }
  }
  return out;
}

/** Window assignment of the reference model (SEMANTICS.md §3), written straight from the rules. */
import type { WindowSpec } from "@tributary/sdk";
import { GLOBAL_WINDOW, type WindowBounds } from "../runner.ts";

/** Floored modulo: the result has the sign of `divisor` (correct for negative timestamps). */
export function flooredMod(dividend: number, divisor: number): number {
  return ((dividend % divisor) + divisor) % divisor;
}

/**
 * The fixed windows (tumbling, sliding, global) that contain `ts`, oldest first.
 * Sessions are not fixed: use {@link mergeSessions}.
 */
export function assignFixedWindows(spec: WindowSpec, ts: number): WindowBounds[] {
  switch (spec.kind) {
    case "tumbling": {
      const start = ts - flooredMod(ts - spec.offsetMs, spec.sizeMs);
      return [{ start, end: start + spec.sizeMs }];
    }
    case "sliding": {
      const newest = ts - flooredMod(ts - spec.offsetMs, spec.slideMs);
      const windows: WindowBounds[] = [];
      for (let start = newest; start > ts - spec.sizeMs; start -= spec.slideMs) {
        windows.push({ start, end: start + spec.sizeMs });
      }
      return windows.reverse();
    }
    case "global":
      return [{ ...GLOBAL_WINDOW }];
    case "session":
      throw new Error("session windows are not fixed windows");
  }
}

/**
 * Merges the session intervals `[ts, ts + gap)` of one key's accepted elements: intervals that
 * overlap or touch merge. Returns, per resulting session, its bounds and the member indices.
 */
export function mergeSessions(
  timestamps: readonly number[],
  gapMs: number,
): { window: WindowBounds; members: number[] }[] {
  const order = timestamps.map((_, i) => i).sort((a, b) => timestamps[a]! - timestamps[b]!);
  const sessions: { window: WindowBounds; members: number[] }[] = [];
  for (const i of order) {
    const ts = timestamps[i]!;
    const current = sessions.at(-1);
    if (current !== undefined && ts <= current.window.end) {
      current.window.end = Math.max(current.window.end, ts + gapMs);
      current.members.push(i);
    } else {
      sessions.push({ window: { start: ts, end: ts + gapMs }, members: [i] });
    }
  }
  return sessions;
}

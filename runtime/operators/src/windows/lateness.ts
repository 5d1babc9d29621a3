/**
 * Lateness decisions (SEMANTICS.md §4). Judged by the element watermark `w` only, never by the
 * operator watermark.
 */

/** Fixed windows: the element is dropped from window `[.., end)` iff `end + lateness <= w`. */
export function isDroppedFromFixedWindow(end: number, lateness: number, w: number): boolean {
  return end + lateness <= w;
}

/** Sessions: the element is dropped iff it is itself late by more than `lateness`: `ts + lateness < w`. */
export function isDroppedFromSession(ts: number, lateness: number, w: number): boolean {
  return ts + lateness < w;
}

/** The window kinds as the IR names them. */
export type WindowKind = "tumbling" | "sliding" | "session" | "global";

/**
 * When a window's on-time pane fires: when the operator watermark reaches this time (SEMANTICS.md
 * §3, §5). Fixed windows at `end`; sessions only once the watermark passes `end` (an element at
 * `ts = end` can still extend them), i.e. at `end + 1`; the global window at the end of input.
 */
export function onTimeFiringTime(kind: WindowKind, end: number): number {
  if (kind === "session") return end + 1;
  if (kind === "global") return Number.POSITIVE_INFINITY;
  return end;
}

/**
 * When a window's state is freed: when the operator watermark reaches this time, no element that
 * is not dropped as late can still reach the window (SEMANTICS.md §4). Fixed windows at
 * `end + lateness`; sessions at `end + lateness + 1`; the global window never before the end.
 */
export function stateFreeingTime(kind: WindowKind, end: number, lateness: number): number {
  if (kind === "session") return end + lateness + 1;
  if (kind === "global") return Number.POSITIVE_INFINITY;
  return end + lateness;
}

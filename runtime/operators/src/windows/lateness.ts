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

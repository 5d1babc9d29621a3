import type { WindowBounds } from "./assign.ts";

/** When a pane was emitted relative to its window's on-time firing (SEMANTICS.md §5). */
export type PaneTiming = "early" | "on_time" | "late";

/** Which pane of a (key, window) a result is. */
export interface PaneInfo {
  /** 0, 1, 2, … per key and window. */
  readonly index: number;
  readonly timing: PaneTiming;
  /** Sessions: earlier windows (that emitted panes) this window absorbed; their results are superseded. */
  readonly replaces?: readonly WindowBounds[];
}

/**
 * The value of a record a window aggregate emits.
 *
 * @example
 * ```ts
 * { key: "user-1", window: { start: 0, end: 60000 }, value: 3, pane: { index: 0, timing: "on_time" } }
 * ```
 */
export interface WindowResult<R = unknown> {
  readonly key: unknown;
  readonly window: WindowBounds;
  readonly value: R;
  readonly pane: PaneInfo;
}

/**
 * Per-key state of the window operator, as stored in its {@link KeyedStateStore}. Plain objects,
 * arrays and numbers only (structured-clonable, checkpointed with v8.serialize).
 */

/** One window of one key. */
export interface WindowSlot {
  start: number;
  end: number;
  /**
   * The accumulator: every element of the window so far (accumulating), or the elements since
   * the previous pane (discarding).
   */
  acc: unknown;
  /** Elements added since the previous pane (or since the window was created). */
  pending: number;
  /** Largest element watermark among the elements the next pane would hold (`-Infinity` if none). */
  maxW: number;
  /** Index of the next pane of this exact (key, window). */
  next: number;
  /** The on-time firing time has passed (the on-time pane was emitted, or the window was created after it). */
  fired: boolean;
  /** Sessions: windows that emitted panes and were merged into this one, not yet reported in `pane.replaces`. */
  replaces: { start: number; end: number }[] | null;
}

/** Everything the window operator keeps for one key. */
export interface KeyWindows {
  /** The key itself (null for a non-keyed stream), for output records. */
  key: unknown;
  /** The key group, computed once per key. */
  keyGroup: number;
  /** Live windows, sorted by start (sessions: disjoint and not touching). */
  windows: WindowSlot[];
}

/** A new window `[start, end)` holding `acc`, with no pane emitted yet. */
export function newWindowSlot(start: number, end: number, acc: unknown): WindowSlot {
  return {
    start,
    end,
    acc,
    pending: 0,
    maxW: Number.NEGATIVE_INFINITY,
    next: 0,
    fired: false,
    replaces: null,
  };
}

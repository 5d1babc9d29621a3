import type { FnRef, IrNodeOf } from "@tributary/sdk";
import type { Aggregator } from "../aggregations/aggregator.ts";
import {
  newCounters,
  type Operator,
  type OperatorCounters,
  type Output,
  type Snapshot,
} from "../operator.ts";
import type { StreamRecord } from "../record.ts";
import type { KeyedStateStore, StateBackend } from "../state/backend.ts";
import { handleUserFunctionError, type UserFunctionSite } from "../stateless/user-function-error.ts";
import { floorMod, GLOBAL_WINDOW } from "./assign.ts";
import { WindowLifecycle } from "./lifecycle.ts";
import type { PaneInfo, PaneTiming, WindowResult } from "./pane.ts";
import { WINDOW_SESSION, WINDOW_SLIDING, WINDOW_TUMBLING, windowShape } from "./shape.ts";
import { type KeyWindows, newWindowSlot, type WindowSlot } from "./state.ts";
import { TimerIndex } from "./timers.ts";

/** Constructor options of {@link WindowAggregateOperator}. */
export interface WindowAggregateOptions {
  readonly node: IrNodeOf<"windowAggregate">;
  /** The aggregation of `node.params.aggregate`, built by `makeAggregator`. */
  readonly aggregator: Aggregator;
  /** Holds the per-key window state, in the store named after the node id. */
  readonly state: StateBackend;
  /** The key group of an encoded key (`keyGroupOf(keyEnc, maxParallelism)`). */
  readonly keyGroup: (keyEnc: string) => number;
  /** Processing-time clock for `early.everyProcessingTimeMs` (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Counts that, with {@link OperatorCounters}, account for every input record:
 * `in = deadLettered + aggregated + droppedLate - partiallyLate`.
 */
export interface WindowAccounting {
  /** Records added to at least one window. */
  aggregated: number;
  /** Records added to some windows and dropped as late from others (sliding windows only). */
  partiallyLate: number;
}

interface WindowAggregateSnapshot {
  watermark: number;
  counters: OperatorCounters;
  accounting: WindowAccounting;
  timers: [number, string[]][];
  dirty: string[];
}

const KIND_TUMBLING = WINDOW_TUMBLING;
const KIND_SLIDING = WINDOW_SLIDING;
const KIND_SESSION = WINDOW_SESSION;

/**
 * The window operator (SEMANTICS.md §3–§5) for the IR node `windowAggregate`.
 *
 * - Lateness is judged by each record's element watermark `w` only: fixed windows drop a record
 *   from a window iff `end + L <= w`, sessions drop it iff `ts + L < w`. A record dropped from at
 *   least one window is counted once in `counters.droppedLate` and sent once to `out.late`. A
 *   sliding-window record dropped from its older windows but kept in newer ones is counted as
 *   dropped-late AND aggregated; the guarantee is
 *   `in = deadLettered + accounting.aggregated + droppedLate - accounting.partiallyLate`.
 * - Panes fire by the operator watermark `W`: on-time at `W >= end` (sessions `W >= end + 1`,
 *   global windows at `W = +Infinity`); state is freed at `W >= end + L` (sessions
 *   `W >= end + L + 1`). A record kept in a window whose on-time time has passed emits a `late`
 *   pane at once.
 * - Pane records: `ts = end - 1`; `w = end - 1` for on-time panes; for early and late panes the
 *   largest `w` of the elements the pane holds, but never below the watermark this operator
 *   forwards (only a processing-time early pane firing after the watermark rose is affected). In accumulating mode the on-time pane is always emitted (it holds every element);
 *   in discarding mode only when elements arrived since the previous pane.
 * - Early panes (before the on-time pane only): every `N` elements since the previous pane, and/or
 *   for windows with new elements when `T` ms of processing time passed (checked at each
 *   `processBatch`/`onWatermark` call).
 * - Sessions merge order-independently; a merged window that absorbed windows which emitted panes
 *   lists them in `pane.replaces` on its next pane.
 * - A throwing aggregation is handled per `onError`. With sliding windows the element may already
 *   have been added to its newer windows when an older one throws (it is then only counted as
 *   dead-lettered).
 */
export class WindowAggregateOperator implements Operator {
  readonly nodeId: string;
  readonly counters: OperatorCounters = newCounters();
  readonly accounting: WindowAccounting = { aggregated: 0, partiallyLate: 0 };

  readonly #agg: Aggregator;
  readonly #store: KeyedStateStore<KeyWindows>;
  readonly #keyGroup: (keyEnc: string) => number;
  readonly #now: () => number;
  readonly #site: UserFunctionSite;
  readonly #timers = new TimerIndex();

  readonly #kind: number;
  readonly #life: WindowLifecycle;
  readonly #size: number;
  readonly #slide: number;
  readonly #offset: number;
  readonly #gap: number;
  readonly #lateness: number;
  readonly #discarding: boolean;
  readonly #everyN: number;
  readonly #everyMs: number;

  /** The operator watermark: the largest value passed to {@link onWatermark}. */
  #watermark = Number.NEGATIVE_INFINITY;
  /** Keys with windows that got elements since their last pane (only with processing-time early firings). */
  #dirty = new Set<string>();
  #lastEarly: number;

  constructor(opts: WindowAggregateOptions) {
    const { node } = opts;
    const p = node.params;
    this.nodeId = node.id;
    this.#agg = opts.aggregator;
    this.#store = opts.state.store<KeyWindows>(node.id);
    this.#keyGroup = opts.keyGroup;
    this.#now = opts.now ?? Date.now;
    this.#site = {
      nodeId: node.id,
      nodeKind: "windowAggregate",
      fn: aggregationFn(node),
      onError: p.onError,
    };
    const shape = windowShape(p.window);
    this.#kind = shape.code;
    this.#size = shape.size;
    this.#slide = shape.slide;
    this.#offset = shape.offset;
    this.#gap = shape.gap;
    this.#lateness = p.allowedLatenessMs;
    this.#life = new WindowLifecycle(shape.kind, this.#lateness, this.#timers);
    this.#discarding = p.accumulation === "discarding";
    this.#everyN = p.early?.everyElements ?? 0;
    this.#everyMs = p.early?.everyProcessingTimeMs ?? 0;
    this.#lastEarly = this.#everyMs > 0 ? this.#now() : 0;
  }

  /** The current operator watermark. */
  get watermark(): number {
    return this.#watermark;
  }

  processBatch(batch: readonly StreamRecord[], out: Output): void | Promise<void> {
    const loading = this.#store.prefetch(batchKeys(batch));
    if (loading) {
      return loading.then(() => {
        this.#processRecords(batch, out);
        return this.#earlyByTime(out);
      });
    }
    this.#processRecords(batch, out);
    return this.#earlyByTime(out);
  }

  onWatermark(watermark: number, out: Output): void | Promise<void> {
    if (!(watermark > this.#watermark)) return this.#earlyByTime(out);
    this.#watermark = watermark;
    const due = this.#timers.popDue(watermark);
    if (due.length === 0) return this.#earlyByTime(out);
    const loading = this.#store.prefetch(due);
    if (loading) {
      return loading.then(() => {
        this.#fireKeys(due, out);
        return this.#earlyByTime(out);
      });
    }
    this.#fireKeys(due, out);
    return this.#earlyByTime(out);
  }

  outputWatermark(watermark: number): number {
    return this.#kind === KIND_SESSION ? watermark - 1 : watermark;
  }

  snapshot(): Snapshot {
    const s: WindowAggregateSnapshot = {
      watermark: this.#watermark,
      counters: { ...this.counters },
      accounting: { ...this.accounting },
      timers: this.#timers.snapshot(),
      dirty: [...this.#dirty],
    };
    return s;
  }

  restore(snapshot: Snapshot): void {
    const s = snapshot as WindowAggregateSnapshot;
    this.#watermark = s.watermark;
    Object.assign(this.counters, s.counters);
    Object.assign(this.accounting, s.accounting);
    this.#timers.restore(s.timers);
    this.#dirty = new Set(s.dirty);
  }

  // ---- records -------------------------------------------------------------------------------

  #processRecords(batch: readonly StreamRecord[], out: Output): void {
    const c = this.counters;
    const kind = this.#kind;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      c.in++;
      if (kind === KIND_TUMBLING) this.#processTumbling(r, out);
      else if (kind === KIND_SESSION) this.#processSession(r, out);
      else if (kind === KIND_SLIDING) this.#processSliding(r, out);
      else this.#processGlobal(r, out);
    }
  }

  #processTumbling(r: StreamRecord, out: Output): void {
    const start = r.ts - floorMod(r.ts - this.#offset, this.#size);
    const end = start + this.#size;
    if (end + this.#lateness <= r.w) {
      this.#dropLate(r, out);
      return;
    }
    const keyEnc = r.keyEnc ?? "null";
    const ks = this.#keyState(keyEnc, r);
    if (this.#addToFixed(ks, keyEnc, start, end, r, out)) {
      this.accounting.aggregated++;
      this.#store.set(keyEnc, ks.keyGroup, ks);
    }
  }

  #processGlobal(r: StreamRecord, out: Output): void {
    const { start, end } = GLOBAL_WINDOW;
    if (end + this.#lateness <= r.w) {
      this.#dropLate(r, out);
      return;
    }
    const keyEnc = r.keyEnc ?? "null";
    const ks = this.#keyState(keyEnc, r);
    if (this.#addToFixed(ks, keyEnc, start, end, r, out)) {
      this.accounting.aggregated++;
      this.#store.set(keyEnc, ks.keyGroup, ks);
    }
  }

  #processSliding(r: StreamRecord, out: Output): void {
    const size = this.#size;
    const slide = this.#slide;
    const lateness = this.#lateness;
    const ts = r.ts;
    const w = r.w;
    let start = ts - floorMod(ts - this.#offset, slide);
    // Newest window first: once a window is dropped, every older one (smaller end) is dropped too.
    if (start + size + lateness <= w) {
      this.#dropLate(r, out);
      return;
    }
    const keyEnc = r.keyEnc ?? "null";
    const ks = this.#keyState(keyEnc, r);
    let partial = false;
    for (; start > ts - size; start -= slide) {
      const end = start + size;
      if (end + lateness <= w) {
        partial = true;
        break;
      }
      if (!this.#addToFixed(ks, keyEnc, start, end, r, out)) {
        if (ks.windows.length > 0) this.#store.set(keyEnc, ks.keyGroup, ks);
        return;
      }
    }
    this.accounting.aggregated++;
    this.#store.set(keyEnc, ks.keyGroup, ks);
    if (partial) {
      this.accounting.partiallyLate++;
      this.#dropLate(r, out);
    }
  }

  #dropLate(r: StreamRecord, out: Output): void {
    this.counters.droppedLate++;
    out.late(r);
  }

  /** The key's state, created (not yet stored) when the key has none. */
  #keyState(keyEnc: string, r: StreamRecord): KeyWindows {
    const ks = this.#store.get(keyEnc);
    if (ks !== undefined) return ks;
    return { key: r.keyEnc === undefined ? null : r.key, keyGroup: this.#keyGroup(keyEnc), windows: [] };
  }

  /** Add `r` to the fixed window `[start, end)` of the key; false when the aggregation threw. */
  #addToFixed(
    ks: KeyWindows,
    keyEnc: string,
    start: number,
    end: number,
    r: StreamRecord,
    out: Output,
  ): boolean {
    const windows = ks.windows;
    let slot: WindowSlot | undefined;
    let i = windows.length - 1;
    for (; i >= 0; i--) {
      const s = windows[i]!;
      if (s.start <= start) {
        if (s.start === start) slot = s;
        break;
      }
    }
    let acc: unknown;
    try {
      acc = this.#agg.add(slot === undefined ? this.#agg.create() : slot.acc, r);
    } catch (e) {
      handleUserFunctionError(this.#site, r, e, out, this.counters);
      return false;
    }
    if (slot === undefined) {
      slot = newWindowSlot(start, end, acc);
      windows.splice(i + 1, 0, slot);
      this.#scheduleSlot(slot, keyEnc);
    } else {
      slot.acc = acc;
    }
    this.#afterAdd(ks, keyEnc, slot, r, out);
    return true;
  }

  #processSession(r: StreamRecord, out: Output): void {
    const ts = r.ts;
    if (ts + this.#lateness < r.w) {
      this.#dropLate(r, out);
      return;
    }
    const keyEnc = r.keyEnc ?? "null";
    const ks = this.#keyState(keyEnc, r);
    const windows = ks.windows;
    let start = ts;
    let end = ts + this.#gap;
    // Sessions are sorted, disjoint and do not touch: the ones this element touches are a run [lo, hi).
    let lo = 0;
    while (lo < windows.length && windows[lo]!.end < start) lo++;
    let hi = lo;
    while (hi < windows.length && windows[hi]!.start <= end) hi++;
    const agg = this.#agg;
    if (hi - lo === 1 && windows[lo]!.start <= start && end <= windows[lo]!.end) {
      // Inside one existing session: its extent does not change.
      const slot = windows[lo]!;
      try {
        slot.acc = agg.add(slot.acc, r);
      } catch (e) {
        handleUserFunctionError(this.#site, r, e, out, this.counters);
        return;
      }
      this.accounting.aggregated++;
      this.#afterAdd(ks, keyEnc, slot, r, out);
      this.#store.set(keyEnc, ks.keyGroup, ks);
      return;
    }
    let acc: unknown;
    try {
      acc = agg.add(agg.create(), r);
      for (let j = lo; j < hi; j++) acc = agg.merge(acc, windows[j]!.acc);
    } catch (e) {
      handleUserFunctionError(this.#site, r, e, out, this.counters);
      return;
    }
    const merged = newWindowSlot(start, end, acc);
    for (let j = lo; j < hi; j++) {
      const s = windows[j]!;
      if (s.start < start) start = s.start;
      if (s.end > end) end = s.end;
      merged.pending += s.pending;
      if (s.maxW > merged.maxW) merged.maxW = s.maxW;
      if (s.next > 0 || s.replaces !== null) {
        if (merged.replaces === null) merged.replaces = [];
        const rep = merged.replaces;
        if (s.replaces !== null) for (const x of s.replaces) rep.push(x);
        if (s.next > 0) rep.push({ start: s.start, end: s.end });
      }
    }
    merged.start = start;
    merged.end = end;
    if (merged.replaces !== null && merged.replaces.length > 1) {
      merged.replaces.sort((a, b) => a.start - b.start || a.end - b.end);
    }
    windows.splice(lo, hi - lo, merged);
    this.#scheduleSlot(merged, keyEnc);
    this.accounting.aggregated++;
    this.#afterAdd(ks, keyEnc, merged, r, out);
    this.#store.set(keyEnc, ks.keyGroup, ks);
  }

  /** Bookkeeping after `r` was added to `slot`: late pane, early pane by count, dirty mark. */
  #afterAdd(ks: KeyWindows, keyEnc: string, slot: WindowSlot, r: StreamRecord, out: Output): void {
    slot.pending++;
    if (r.w > slot.maxW) slot.maxW = r.w;
    if (slot.fired) {
      this.#emitPane(ks, keyEnc, slot, "late", out);
    } else if (this.#everyN > 0 && slot.pending >= this.#everyN) {
      this.#emitPane(ks, keyEnc, slot, "early", out);
    } else if (this.#everyMs > 0) {
      this.#dirty.add(keyEnc);
    }
  }

  // ---- time ----------------------------------------------------------------------------------

  /** Register the timers of a new window; a window created after its on-time time is marked fired. */
  #scheduleSlot(slot: WindowSlot, keyEnc: string): void {
    if (this.#life.schedule(slot.end, keyEnc, this.#watermark)) slot.fired = true;
  }

  #fireKeys(keys: readonly string[], out: Output): void {
    const store = this.#store;
    const w = this.#watermark;
    const accumulating = !this.#discarding;
    for (let k = 0; k < keys.length; k++) {
      const keyEnc = keys[k]!;
      const ks = store.get(keyEnc);
      if (ks === undefined) continue;
      const windows = ks.windows;
      const n = windows.length;
      // A key's windows are sorted by start and (fixed windows: same size; sessions: disjoint)
      // therefore by end, and fire and free times rise with the end: the windows due are a
      // prefix, and the first window not yet due to fire ends the walk.
      let kept = 0;
      let i = 0;
      for (; i < n; i++) {
        const slot = windows[i]!;
        if (this.#life.fireTime(slot.end) > w) break;
        if (!slot.fired) {
          slot.fired = true;
          if (accumulating || slot.pending > 0) this.#emitPane(ks, keyEnc, slot, "on_time", out);
        }
        if (this.#life.freeTime(slot.end) > w) windows[kept++] = slot;
      }
      if (kept < i) {
        for (let j = i; j < n; j++) windows[kept++] = windows[j]!;
        windows.length = kept;
      } else {
        kept = n;
      }
      if (kept === 0) store.delete(keyEnc);
      else store.set(keyEnc, ks.keyGroup, ks);
    }
  }

  #earlyByTime(out: Output): void | Promise<void> {
    if (this.#everyMs === 0 || this.#dirty.size === 0) return;
    const now = this.#now();
    if (now - this.#lastEarly < this.#everyMs) return;
    this.#lastEarly = now;
    const keys = [...this.#dirty];
    this.#dirty.clear();
    const loading = this.#store.prefetch(keys);
    if (loading) return loading.then(() => this.#fireEarly(keys, out));
    this.#fireEarly(keys, out);
  }

  #fireEarly(keys: readonly string[], out: Output): void {
    const store = this.#store;
    for (const keyEnc of keys) {
      const ks = store.get(keyEnc);
      if (ks === undefined) continue;
      let changed = false;
      for (const slot of ks.windows) {
        if (!slot.fired && slot.pending > 0) {
          this.#emitPane(ks, keyEnc, slot, "early", out);
          changed = true;
        }
      }
      if (changed) store.set(keyEnc, ks.keyGroup, ks);
    }
  }

  // ---- panes ---------------------------------------------------------------------------------

  #emitPane(ks: KeyWindows, keyEnc: string, slot: WindowSlot, timing: PaneTiming, out: Output): void {
    const agg = this.#agg;
    let value: unknown;
    try {
      value = agg.extract(slot.acc);
    } catch (e) {
      throw new Error(
        `windowAggregate node '${this.nodeId}': extracting the result of window [${slot.start}, ${slot.end}) ` +
          `for key ${keyEnc} failed: ${e instanceof Error ? e.message : String(e)}. Fix the aggregation's extract function.`,
        { cause: e },
      );
    }
    const index = slot.next++;
    const window = { start: slot.start, end: slot.end };
    const pane: PaneInfo =
      slot.replaces !== null && slot.replaces.length > 0
        ? { index, timing, replaces: slot.replaces }
        : { index, timing };
    const result: WindowResult = { key: ks.key, window, value, pane };
    const ts = slot.end - 1;
    let w = ts;
    if (timing !== "on_time") {
      // The largest w of the held elements, raised to the watermark this operator forwards: a
      // processing-time early pane may fire after the watermark passed its elements' w, and a
      // record below the forwarded watermark would break the invariant of SEMANTICS.md §2.
      const forwarded = this.outputWatermark(this.#watermark);
      w = Math.max(slot.maxW, forwarded);
    }
    this.counters.out++;
    out.emit({
      value: result,
      ts,
      w,
      id: [this.nodeId, keyEnc, slot.start, index],
      key: ks.key,
      keyEnc,
    });
    slot.pending = 0;
    slot.replaces = null;
    if (this.#discarding) {
      slot.acc = agg.create();
      slot.maxW = Number.NEGATIVE_INFINITY;
    }
  }
}

function* batchKeys(batch: readonly StreamRecord[]): Generator<string> {
  for (let i = 0; i < batch.length; i++) yield batch[i]!.keyEnc ?? "null";
}

/** The user function to name in error messages: the single aggregation's input or add function. */
function aggregationFn(node: IrNodeOf<"windowAggregate">): FnRef | null {
  const a = node.params.aggregate;
  if (a.shape !== "single") return null;
  const spec = a.aggregation;
  if (spec.kind === "combine") return spec.add;
  if (spec.kind === "count") return null;
  return spec.input;
}

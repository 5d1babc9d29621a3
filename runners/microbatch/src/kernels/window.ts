/**
 * The micro-batch window kernel (SEMANTICS.md §3–§5). Per batch:
 * 1. column extraction: `ts`, `w` into Float64Arrays, keys interned to dense ids;
 * 2. window assignment and lateness on the typed arrays (fixed windows: `end + L <= w` drops a
 *    window, sessions: `ts + L < w` drops the element), producing (row, window start) pairs;
 * 3. inputs evaluated once per row (vectorized kernels) and pairs hash-grouped by (key, start);
 * 4. partial aggregates per group merged into the keyed window state;
 * 5. at the end of the batch, late panes for fired windows that got elements, then the operator
 *    watermark advances and fires on-time panes and frees state.
 * Sessions build batch-local sessions per key (rows sorted by ts) and merge them into the state.
 */
import {
  floorMod,
  GLOBAL_WINDOW,
  handleUserFunctionError,
  newCounters,
  newWindowSlot,
  type OperatorCounters,
  type Output,
  type StreamRecord,
  TimerIndex,
  type UserFunctionSite,
  WINDOW_GLOBAL,
  WINDOW_SESSION,
  WINDOW_SLIDING,
  WINDOW_TUMBLING,
  WindowLifecycle,
  type WindowSlot,
  windowShape,
} from "@tributary/operators";
import type { FnRegistry, IrNodeOf } from "@tributary/sdk";
import type { Chunk } from "../batch.ts";
import type { ColumnFn } from "../batch-lambdas.ts";
import { type AggKernel, makeAggKernel } from "./aggregate.ts";
import { FixedColumnarState } from "./fixed-columnar.ts";
import { groupByKeyAndStart, internKeys } from "./grouping.ts";

/** The rows of a batch as the kernel needs them: records on demand, and the aggregation's inputs. */
interface Rows {
  readonly n: number;
  record(i: number): StreamRecord;
  load(use: Uint8Array, onError: (row: number, error: unknown) => void): void;
}

/** One window of one key: the operator library's window slot. */
export type Slot = WindowSlot;

export interface KeyState {
  key: unknown;
  windows: Slot[];
}

export interface WindowMeta {
  watermark: number;
  counters: OperatorCounters;
  accounting: { aggregated: number; partiallyLate: number };
}

const TUMBLING = WINDOW_TUMBLING;
const SLIDING = WINDOW_SLIDING;
const SESSION = WINDOW_SESSION;
const GLOBAL = WINDOW_GLOBAL;

export class WindowKernel {
  readonly nodeId: string;
  readonly counters: OperatorCounters = newCounters();
  readonly accounting = { aggregated: 0, partiallyLate: 0 };
  readonly agg: AggKernel;
  readonly state = new Map<string, KeyState>();
  /** Keys changed since the last {@link takeDirty} (for state deltas). */
  dirty = new Set<string>();
  watermark = Number.NEGATIVE_INFINITY;

  readonly #site: UserFunctionSite;
  readonly #kind: number;
  #life: WindowLifecycle;
  readonly #size: number;
  readonly #slide: number;
  readonly #offset: number;
  readonly #gap: number;
  readonly #lateness: number;
  readonly #discarding: boolean;
  #timers = new TimerIndex();
  /** Fixed windows with count/sum/min/max/mean: the columnar store (else the object state). */
  #col: FixedColumnarState | null;
  /** Fired windows that got elements in this batch: one late pane each at the end of the batch. */
  #late: [string, Slot][] = [];

  constructor(node: IrNodeOf<"windowAggregate">, fns: FnRegistry, inputs?: ReadonlyMap<string, ColumnFn>) {
    const p = node.params;
    this.nodeId = node.id;
    this.agg = makeAggKernel(p.aggregate, fns, inputs);
    const a = p.aggregate;
    const fn =
      a.shape === "single" && a.aggregation.kind !== "count"
        ? a.aggregation.kind === "combine"
          ? a.aggregation.add
          : a.aggregation.input
        : null;
    this.#site = { nodeId: node.id, nodeKind: "windowAggregate", fn, onError: p.onError };
    const shape = windowShape(p.window);
    this.#kind = shape.code;
    this.#size = shape.size;
    this.#slide = shape.slide;
    this.#offset = shape.offset;
    this.#gap = shape.gap;
    this.#lateness = p.allowedLatenessMs;
    this.#life = new WindowLifecycle(shape.kind, this.#lateness, this.#timers);
    this.#discarding = p.accumulation === "discarding";
    this.#col =
      (this.#kind === TUMBLING || this.#kind === SLIDING) && FixedColumnarState.supports(this.agg)
        ? new FixedColumnarState({
            nodeId: node.id,
            size: this.#size,
            lateness: this.#lateness,
            discarding: this.#discarding,
            agg: this.agg,
            counters: this.counters,
          })
        : null;
  }

  /** Whether window state is in the columnar store. */
  get columnar(): boolean {
    return this.#col !== null;
  }

  outputWatermark(w: number): number {
    return this.#kind === SESSION ? w - 1 : w;
  }

  // ---- batch ---------------------------------------------------------------------------------

  process(records: readonly StreamRecord[], out: Output): void {
    const n = records.length;
    if (n === 0) return;
    this.counters.in += n;
    const ts = new Float64Array(n);
    const w = new Float64Array(n);
    const keyEnc = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const r = records[i]!;
      ts[i] = r.ts;
      w[i] = r.w;
      keyEnc[i] = r.keyEnc ?? "null";
    }
    const keys = internKeys(keyEnc, n);
    const keyValue = new Array<unknown>(keys.distinct.length);
    for (let i = n - 1; i >= 0; i--) {
      const r = records[i]!;
      keyValue[keys.ids[i]!] = r.keyEnc === undefined ? null : r.key;
    }
    const rows: Rows = {
      n,
      record: (i) => records[i]!,
      load: (use, onError) => this.agg.load(records, use, onError),
    };
    if (this.#kind === SESSION) this.#sessions(rows, ts, w, keys.ids, keys.distinct, keyValue, out);
    else this.#fixed(rows, ts, w, keys.ids, keys.distinct, keyValue, out);
  }

  /** A columnar chunk (after timestamps; keys from keyBy, or the null key). */
  processChunk(chunk: Chunk, out: Output): void {
    const n = chunk.length;
    if (n === 0) return;
    this.counters.in += n;
    const key = chunk.key ?? { ids: new Int32Array(n), keys: [null], enc: ["null"] };
    const rows: Rows = {
      n,
      record: (i) => chunk.record(i),
      load: (use, onError) =>
        this.agg.loadChunk !== undefined && this.agg.loadChunk(chunk, use, onError)
          ? undefined
          : this.agg.load(chunk.records(), use, onError),
    };
    const ts = chunk.ts!;
    const w = chunk.w!;
    if (this.#kind === SESSION) this.#sessions(rows, ts, w, key.ids, key.enc, key.keys, out);
    else this.#fixed(rows, ts, w, key.ids, key.enc, key.keys, out);
  }

  #fixed(
    rows: Rows,
    ts: Float64Array,
    w: Float64Array,
    keyId: Int32Array,
    distinct: readonly string[],
    keyValue: readonly unknown[],
    out: Output,
  ): void {
    const n = rows.n;
    const L = this.#lateness;
    const per = this.#kind === SLIDING ? Math.ceil(this.#size / this.#slide) : 1;
    let pairRow = new Int32Array(n * per);
    let pairStart = new Float64Array(n * per);
    let np = 0;
    const use = new Uint8Array(n);
    const partial = new Uint8Array(n);
    if (this.#kind === TUMBLING) {
      const size = this.#size;
      const off = this.#offset;
      for (let i = 0; i < n; i++) {
        const t = ts[i]!;
        // floorMod inlined (`+ 0` turns -0 into 0).
        const r = (t - off) % size;
        const start = t - (r < 0 ? r + size : r + 0);
        if (start + size + L <= w[i]!) continue;
        use[i] = 1;
        pairRow[np] = i;
        pairStart[np++] = start;
      }
    } else if (this.#kind === GLOBAL) {
      for (let i = 0; i < n; i++) {
        if (GLOBAL_WINDOW.end + L <= w[i]!) continue;
        use[i] = 1;
        pairRow[np] = i;
        pairStart[np++] = GLOBAL_WINDOW.start;
      }
    } else {
      const size = this.#size;
      const slide = this.#slide;
      const off = this.#offset;
      for (let i = 0; i < n; i++) {
        const t = ts[i]!;
        const wi = w[i]!;
        // Newest window first: once one is dropped, every older one is too.
        for (let s = t - floorMod(t - off, slide); s > t - size; s -= slide) {
          if (s + size + L <= wi) {
            if (use[i] === 1) partial[i] = 1;
            break;
          }
          use[i] = 1;
          pairRow[np] = i;
          pairStart[np++] = s;
        }
      }
    }
    for (let i = 0; i < n; i++) if (use[i] === 0) this.#dropLate(rows.record(i), out);
    rows.load(use, (row, e) => handleUserFunctionError(this.#site, rows.record(row), e, out, this.counters));
    // Drop the pairs of rows whose input failed.
    let kept = 0;
    for (let j = 0; j < np; j++) {
      if (kept === j && use[pairRow[j]!] === 1) {
        kept++;
        continue;
      }
      const r = pairRow[j]!;
      if (use[r] === 0) continue;
      pairRow[kept] = r;
      pairStart[kept++] = pairStart[j]!;
    }
    np = kept;
    pairRow = pairRow.subarray(0, np);
    pairStart = pairStart.subarray(0, np);
    let aggregated = 0;
    for (let i = 0; i < n; i++) aggregated += use[i]!;
    this.accounting.aggregated += aggregated;
    if (this.#kind === SLIDING)
      for (let i = 0; i < n; i++) {
        if (use[i] === 0 || partial[i] === 0) continue;
        this.accounting.partiallyLate++;
        this.#dropLate(rows.record(i), out);
      }
    if (this.#col !== null) {
      this.#col.merge(pairRow, pairStart, np, keyId, distinct, keyValue, w, this.watermark);
      return;
    }
    const pairKey = new Int32Array(np);
    for (let j = 0; j < np; j++) pairKey[j] = keyId[pairRow[j]!]!;
    const groups = groupByKeyAndStart(pairKey, pairStart, np);
    const ng = groups.count;
    const accs = this.agg.partials(ng, pairRow, groups.gid, np);
    const pending = new Float64Array(ng);
    const maxW = new Float64Array(ng).fill(Number.NEGATIVE_INFINITY);
    for (let j = 0; j < np; j++) {
      const g = groups.gid[j]!;
      pending[g]!++;
      const wv = w[pairRow[j]!]!;
      if (wv > maxW[g]!) maxW[g] = wv;
    }
    const size = this.#kind === GLOBAL ? GLOBAL_WINDOW.end - GLOBAL_WINDOW.start : this.#size;
    for (let g = 0; g < ng; g++) {
      const k = groups.key[g]!;
      const enc = distinct[k]!;
      const ks = this.#keyState(enc, keyValue[k]);
      const start = groups.start[g]!;
      const windows = ks.windows;
      let i = windows.length - 1;
      let slot: Slot | undefined;
      for (; i >= 0; i--) {
        const s = windows[i]!;
        if (s.start <= start) {
          if (s.start === start) slot = s;
          break;
        }
      }
      if (slot === undefined) {
        slot = newWindowSlot(start, start + size, accs[g]);
        windows.splice(i + 1, 0, slot);
        this.#schedule(slot, enc);
      } else {
        slot.acc = this.agg.merge(slot.acc, accs[g]);
      }
      this.#afterAdd(enc, slot, pending[g]!, maxW[g]!);
    }
  }

  #sessions(
    rows: Rows,
    ts: Float64Array,
    w: Float64Array,
    keyId: Int32Array,
    distinct: readonly string[],
    keyValue: readonly unknown[],
    out: Output,
  ): void {
    const n = rows.n;
    const L = this.#lateness;
    const gap = this.#gap;
    const use = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (ts[i]! + L < w[i]!) this.#dropLate(rows.record(i), out);
      else use[i] = 1;
    }
    rows.load(use, (row, e) => handleUserFunctionError(this.#site, rows.record(row), e, out, this.counters));
    // Rows per key, sorted by ts: counting sort by key id, then sort each run.
    const nk = distinct.length;
    const firstOf = new Int32Array(nk + 1);
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (use[i] === 0) continue;
      firstOf[keyId[i]! + 1]!++;
      m++;
    }
    this.accounting.aggregated += m;
    for (let k = 0; k < nk; k++) firstOf[k + 1]! += firstOf[k]!;
    const order = new Int32Array(m);
    const fill = firstOf.slice(0, nk);
    for (let i = 0; i < n; i++) if (use[i] === 1) order[fill[keyId[i]!]!++] = i;
    // Batch-local sessions: pairs row → local session, with extents.
    const pairGroup = new Int32Array(m);
    const sStart: number[] = [];
    const sEnd: number[] = [];
    const sKey: number[] = [];
    const sCount: number[] = [];
    const sMaxW: number[] = [];
    for (let k = 0; k < nk; k++) {
      const lo = firstOf[k]!;
      const hi = firstOf[k + 1]!;
      if (lo === hi) continue;
      const run = order.subarray(lo, hi);
      run.sort((a, b) => ts[a]! - ts[b]!);
      let cur = -1;
      for (let j = 0; j < run.length; j++) {
        const r = run[j]!;
        const t = ts[r]!;
        if (cur === -1 || t > sEnd[cur]!) {
          cur = sStart.length;
          sStart.push(t);
          sEnd.push(t + gap);
          sKey.push(k);
          sCount.push(0);
          sMaxW.push(Number.NEGATIVE_INFINITY);
        } else if (t + gap > sEnd[cur]!) sEnd[cur] = t + gap;
        sCount[cur]!++;
        if (w[r]! > sMaxW[cur]!) sMaxW[cur] = w[r]!;
        pairGroup[lo + j] = cur;
      }
    }
    const accs = this.agg.partials(sStart.length, order, pairGroup, m);
    for (let g = 0; g < sStart.length; g++) {
      const k = sKey[g]!;
      const enc = distinct[k]!;
      const ks = this.#keyState(enc, keyValue[k]);
      this.#mergeSession(ks, enc, sStart[g]!, sEnd[g]!, accs[g], sCount[g]!, sMaxW[g]!);
    }
  }

  #mergeSession(
    ks: KeyState,
    enc: string,
    start: number,
    end: number,
    acc: unknown,
    count: number,
    maxW: number,
  ) {
    const windows = ks.windows;
    let lo = 0;
    while (lo < windows.length && windows[lo]!.end < start) lo++;
    let hi = lo;
    while (hi < windows.length && windows[hi]!.start <= end) hi++;
    if (hi - lo === 1 && windows[lo]!.start <= start && end <= windows[lo]!.end) {
      const slot = windows[lo]!;
      slot.acc = this.agg.merge(slot.acc, acc);
      this.#afterAdd(enc, slot, count, maxW);
      return;
    }
    const merged = newWindowSlot(start, end, acc);
    for (let j = lo; j < hi; j++) {
      const s = windows[j]!;
      merged.acc = this.agg.merge(merged.acc, s.acc);
      if (s.start < merged.start) merged.start = s.start;
      if (s.end > merged.end) merged.end = s.end;
      merged.pending += s.pending;
      if (s.maxW > merged.maxW) merged.maxW = s.maxW;
      if (s.next > 0 || s.replaces !== null) {
        merged.replaces ??= [];
        if (s.replaces !== null) for (const x of s.replaces) merged.replaces.push(x);
        if (s.next > 0) merged.replaces.push({ start: s.start, end: s.end });
      }
    }
    merged.replaces?.sort((a, b) => a.start - b.start || a.end - b.end);
    windows.splice(lo, hi - lo, merged);
    this.#schedule(merged, enc);
    this.#afterAdd(enc, merged, count, maxW);
  }

  #keyState(enc: string, key: unknown): KeyState {
    let ks = this.state.get(enc);
    if (ks === undefined) {
      ks = { key, windows: [] };
      this.state.set(enc, ks);
    }
    this.dirty.add(enc);
    return ks;
  }

  #afterAdd(enc: string, slot: Slot, count: number, maxW: number): void {
    slot.pending += count;
    if (maxW > slot.maxW) slot.maxW = maxW;
    if (slot.fired) this.#late.push([enc, slot]);
  }

  #dropLate(r: StreamRecord, out: Output): void {
    this.counters.droppedLate++;
    out.late(r);
  }

  // ---- time ----------------------------------------------------------------------------------

  #schedule(slot: Slot, enc: string): void {
    if (this.#life.schedule(slot.end, enc, this.watermark)) slot.fired = true;
  }

  /**
   * End of the batch: one late pane per fired window that got elements, then the operator
   * watermark `wm` fires on-time panes and frees windows.
   */
  finishBatch(wm: number, out: Output): void {
    if (this.#col !== null) {
      this.#col.finish(this.watermark, wm, this.outputWatermark(this.watermark), out);
      if (wm > this.watermark) this.watermark = wm;
      return;
    }
    const late = this.#late;
    this.#late = [];
    for (const [enc, slot] of late) {
      if (slot.pending === 0) continue; // merged away or already emitted
      const ks = this.state.get(enc);
      if (ks === undefined || !ks.windows.includes(slot)) continue;
      this.#emit(ks, enc, slot, "late", out);
    }
    if (!(wm > this.watermark)) return;
    this.watermark = wm;
    const due = this.#timers.popDue(wm);
    const accumulating = !this.#discarding;
    for (const enc of due) {
      const ks = this.state.get(enc);
      if (ks === undefined) continue;
      this.dirty.add(enc);
      const windows = ks.windows;
      let kept = 0;
      for (let i = 0; i < windows.length; i++) {
        const slot = windows[i]!;
        if (!slot.fired && this.#life.fireTime(slot.end) <= wm) {
          slot.fired = true;
          if (accumulating || slot.pending > 0) this.#emit(ks, enc, slot, "on_time", out);
        }
        if (this.#life.freeTime(slot.end) > wm) windows[kept++] = slot;
      }
      windows.length = kept;
      if (kept === 0) this.state.delete(enc);
    }
  }

  #emit(ks: KeyState, enc: string, slot: Slot, timing: "on_time" | "late", out: Output): void {
    let value: unknown;
    try {
      value = this.agg.extract(slot.acc);
    } catch (e) {
      throw new Error(
        `windowAggregate node '${this.nodeId}': extracting the result of window [${slot.start}, ${slot.end}) ` +
          `for key ${enc} failed: ${e instanceof Error ? e.message : String(e)}. Fix the aggregation's extract function.`,
        { cause: e },
      );
    }
    const index = slot.next++;
    const pane =
      slot.replaces !== null && slot.replaces.length > 0
        ? { index, timing, replaces: slot.replaces }
        : { index, timing };
    const ts = slot.end - 1;
    const w = timing === "on_time" ? ts : Math.max(slot.maxW, this.outputWatermark(this.watermark));
    this.counters.out++;
    out.emit({
      value: { key: ks.key, window: { start: slot.start, end: slot.end }, value, pane },
      ts,
      w,
      id: [this.nodeId, enc, slot.start, index],
      key: ks.key,
      keyEnc: enc,
    });
    this.dirty.add(enc);
    slot.pending = 0;
    slot.replaces = null;
    if (this.#discarding) {
      slot.acc = this.agg.create();
      slot.maxW = Number.NEGATIVE_INFINITY;
    }
  }

  // ---- state ---------------------------------------------------------------------------------

  meta(): WindowMeta {
    return { watermark: this.watermark, counters: { ...this.counters }, accounting: { ...this.accounting } };
  }

  /**
   * Keyed state entries for a state version: every key (`full`) or the keys changed since the
   * last call (`null`: the key has no state any more). Clears the changed set.
   */
  snapshotKeys(full: boolean): [string, unknown][] {
    if (this.#col !== null) return this.#col.snapshot(full);
    const out: [string, unknown][] = full
      ? [...this.state]
      : [...this.dirty].map((k) => [k, this.state.get(k) ?? null]);
    this.dirty.clear();
    return out;
  }

  /** Forget which keys changed (no state versions are written). */
  clearDirty(): void {
    if (this.#col !== null) this.#col.clearDirty();
    else this.dirty.clear();
  }

  /** Restore metadata and state (timers are rebuilt from the windows). */
  restore(meta: WindowMeta, state: Iterable<[string, unknown]>): void {
    this.watermark = meta.watermark;
    Object.assign(this.counters, meta.counters);
    Object.assign(this.accounting, meta.accounting);
    if (this.#col !== null) {
      for (const [enc, entry] of state) this.#col.restoreKey(enc, entry, this.watermark);
      this.#col.clearDirty();
      return;
    }
    this.state.clear();
    this.#timers = new TimerIndex();
    this.#life = new WindowLifecycle(this.#life.kind, this.#lateness, this.#timers);
    for (const [enc, entry] of state) {
      const ks = entry as KeyState;
      if (!Array.isArray(ks.windows))
        throw new Error(
          `windowAggregate node '${this.nodeId}': the checkpoint holds columnar window state, which this aggregation cannot use; restart from an empty checkpoint.`,
        );
      this.state.set(enc, ks);
      for (const slot of ks.windows) {
        if (!slot.fired) this.#timers.add(this.#life.fireTime(slot.end), enc);
        const free = this.#life.freeTime(slot.end);
        if (free !== this.#life.fireTime(slot.end) || slot.fired) this.#timers.add(free, enc);
      }
    }
  }
}

/**
 * Columnar window state for fixed windows (tumbling, sliding) with one vectorized aggregation
 * (count, sum, min, max, mean). SEMANTICS.md §3–§6, the same results as the object-based state in
 * window.ts:
 *
 * - keys get persistent dense ids (a dictionary of canonical encodings that grows; keys without
 *   windows are swept out when they pile up);
 * - one slot per (key id, window start) in a pool of typed arrays (pending count, largest element
 *   watermark, pane index, fired flag, aggregate partials `n` and `val`), found through an
 *   open-addressing table on (key id, start) (linear probing, backward-shift deletion);
 * - a batch's (row, window) pairs are merged straight into the slots with typed-array loops;
 * - windows are kept in start order, each with the list of its slots: on-time panes fire by
 *   scanning the windows whose end the operator watermark reached, and slots are freed when it
 *   reaches `end + L`. Output objects are built only for the panes that fire.
 *
 * Exact sums (§6): `val` holds the sum while every input is an integer and every partial sum stays
 * below 2^53 in magnitude (then each addition is exact, and the sum is its own exact rounding).
 * The first input that breaks this moves the slot to the library's exact accumulator (`exact`).
 */
import {
  addToExactSum,
  createExactSum,
  type ExactSum,
  type OperatorCounters,
  type Output,
} from "@tributary/operators";
import type { AggKernel } from "./aggregate.ts";

const COUNT = 0;
const SUM = 1;
const MIN = 2;
const MAX = 3;
const MEAN = 4;
const KIND = { count: COUNT, sum: SUM, min: MIN, max: MAX, mean: MEAN } as const;
const TWO_53 = 2 ** 53;
const EMPTY = -1;

/** Fields per slot in a snapshot: start, pending, maxW, next, fired, n, val. */
const STRIDE = 7;

/** The checkpointed state of one key in the columnar store. */
export interface ColumnarKeyState {
  key: unknown;
  /** {@link STRIDE} numbers per window, in start order. */
  slots: Float64Array;
  /** Per window: its exact sum once it left the fast path (sum, mean), else null. */
  exact: (ExactSum | null)[] | null;
}

interface Win {
  readonly start: number;
  fired: boolean;
  slots: Int32Array;
  n: number;
}

export interface FixedColumnarConfig {
  readonly nodeId: string;
  readonly size: number;
  readonly lateness: number;
  readonly discarding: boolean;
  readonly agg: AggKernel;
  readonly counters: OperatorCounters;
}

function hashOf(k: number, s: number): number {
  let h = Math.imul(k, 0x9e3779b1) ^ Math.imul(s | 0, 0x85ebca6b) ^ ((s / 4294967296) | 0);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

export class FixedColumnarState {
  readonly #nodeId: string;
  readonly #size: number;
  readonly #L: number;
  readonly #discarding: boolean;
  readonly #agg: AggKernel;
  readonly #kind: number;
  readonly #counters: OperatorCounters;

  // ---- keys ----
  #keyIds = new Map<string, number>();
  #keyEnc: string[] = [];
  #keyVal: unknown[] = [];
  #keyLive = new Int32Array(1024);
  #keyDirty = new Uint8Array(1024);
  #dirty = new Int32Array(1024);
  #nDirty = 0;
  #freeKeys: number[] = [];
  #liveKeys = 0;
  /** Last slot found per key (tumbling: nearly always the one the next pair needs). */
  #keySlot = new Int32Array(1024).fill(EMPTY);
  /** Persistent key ids of a batch's key dictionary, filled lazily (-1 = not yet). */
  #translations = new WeakMap<readonly string[], Int32Array>();

  // ---- slots ----
  #cap = 0;
  #sKey = new Int32Array(0);
  #sStart = new Float64Array(0);
  #sHash = new Int32Array(0);
  #sPending = new Float64Array(0);
  #sMaxW = new Float64Array(0);
  #sNext = new Int32Array(0);
  #sFired = new Uint8Array(0);
  #sLate = new Uint8Array(0);
  #sN = new Float64Array(0);
  #sVal = new Float64Array(0);
  #sExact: (ExactSum | undefined)[] = [];
  #freeSlots: number[] = [];
  #used = 0;
  #live = 0;
  #table = new Int32Array(0);
  #mask = 0;

  // ---- windows ----
  #wins: Win[] = [];
  #winByStart = new Map<number, Win>();
  #lastWin: Win | null = null;
  #late: number[] = [];

  constructor(c: FixedColumnarConfig) {
    this.#nodeId = c.nodeId;
    this.#size = c.size;
    this.#L = c.lateness;
    this.#discarding = c.discarding;
    this.#agg = c.agg;
    this.#kind = KIND[c.agg.kind!];
    this.#counters = c.counters;
    this.#growSlots(1024);
    this.#rehash(4096);
  }

  static supports(agg: AggKernel): boolean {
    return agg.kind !== undefined && (agg.kind === "count" || agg.values !== undefined);
  }

  // ---- keys ------------------------------------------------------------------------------------

  #intern(enc: string, key: unknown): number {
    let id = this.#keyIds.get(enc);
    if (id !== undefined) return id;
    id = this.#freeKeys.pop() ?? this.#keyEnc.length;
    if (id === this.#keyEnc.length) {
      this.#keyEnc.push(enc);
      this.#keyVal.push(key);
    } else {
      this.#keyEnc[id] = enc;
      this.#keyVal[id] = key;
    }
    if (id >= this.#keyLive.length) {
      const cap = this.#keyLive.length * 2;
      this.#keyLive = grow(this.#keyLive, cap);
      this.#keyDirty = grow(this.#keyDirty, cap);
      const ks = new Int32Array(cap).fill(EMPTY);
      ks.set(this.#keySlot);
      this.#keySlot = ks;
    }
    this.#keyIds.set(enc, id);
    return id;
  }

  /** Persistent ids for a batch's key dictionary (`enc`, `keys` by batch-local id). */
  translation(enc: readonly string[]): Int32Array {
    let tr = this.#translations.get(enc);
    if (tr === undefined || tr.length < enc.length) {
      const old = tr;
      tr = new Int32Array(enc.length).fill(EMPTY);
      if (old !== undefined) tr.set(old);
      this.#translations.set(enc, tr);
    }
    return tr;
  }

  #markDirty(k: number): void {
    if (this.#keyDirty[k] === 1) return;
    this.#keyDirty[k] = 1;
    if (this.#nDirty === this.#dirty.length) this.#dirty = grow(this.#dirty, this.#nDirty * 2);
    this.#dirty[this.#nDirty++] = k;
  }

  // ---- slots -----------------------------------------------------------------------------------

  #growSlots(cap: number): void {
    this.#sKey = grow(this.#sKey, cap);
    this.#sStart = grow(this.#sStart, cap);
    this.#sHash = grow(this.#sHash, cap);
    this.#sPending = grow(this.#sPending, cap);
    this.#sMaxW = grow(this.#sMaxW, cap);
    this.#sNext = grow(this.#sNext, cap);
    this.#sFired = grow(this.#sFired, cap);
    this.#sLate = grow(this.#sLate, cap);
    this.#sN = grow(this.#sN, cap);
    this.#sVal = grow(this.#sVal, cap);
    this.#sKey.fill(EMPTY, this.#cap);
    this.#cap = cap;
  }

  #rehash(cap: number): void {
    const table = new Int32Array(cap).fill(EMPTY);
    const mask = cap - 1;
    const sKey = this.#sKey;
    const sHash = this.#sHash;
    for (let s = 0; s < this.#used; s++) {
      if (sKey[s] === EMPTY) continue;
      let h = sHash[s]! & mask;
      while (table[h] !== EMPTY) h = (h + 1) & mask;
      table[h] = s;
    }
    this.#table = table;
    this.#mask = mask;
  }

  /** The slot of (key `k`, window `start`), created when missing. */
  #slot(k: number, start: number): number {
    const cached = this.#keySlot[k]!;
    if (cached !== EMPTY && this.#sStart[cached] === start) return cached;
    const h0 = hashOf(k, start);
    const table = this.#table;
    const mask = this.#mask;
    const sKey = this.#sKey;
    const sStart = this.#sStart;
    let h = h0 & mask;
    for (;;) {
      const s = table[h]!;
      if (s === EMPTY) break;
      if (sKey[s] === k && sStart[s] === start) {
        this.#keySlot[k] = s;
        return s;
      }
      h = (h + 1) & mask;
    }
    const s = this.#create(k, start, h0);
    this.#keySlot[k] = s;
    return s;
  }

  #create(k: number, start: number, hash: number): number {
    let s = this.#freeSlots.pop();
    if (s === undefined) {
      if (this.#used === this.#cap) this.#growSlots(this.#cap * 2);
      s = this.#used++;
    }
    this.#live++;
    if (this.#live * 2 > this.#table.length) this.#rehash(this.#table.length * 2);
    const mask = this.#mask;
    let h = hash & mask;
    while (this.#table[h] !== EMPTY) h = (h + 1) & mask;
    this.#table[h] = s;
    this.#sKey[s] = k;
    this.#sStart[s] = start;
    this.#sHash[s] = hash;
    this.#sPending[s] = 0;
    this.#sMaxW[s] = Number.NEGATIVE_INFINITY;
    this.#sNext[s] = 0;
    this.#sLate[s] = 0;
    this.#sN[s] = 0;
    this.#sVal[s] = 0;
    this.#sExact[s] = undefined;
    if (this.#keyLive[k]!++ === 0) this.#liveKeys++;
    const win = this.#window(start);
    this.#sFired[s] = win.fired ? 1 : 0;
    if (win.n === win.slots.length) win.slots = grow(win.slots, win.n * 2);
    win.slots[win.n++] = s;
    return s;
  }

  /** Removes slot `s` from the table (backward-shift deletion) and frees it. */
  #release(s: number): void {
    const table = this.#table;
    const mask = this.#mask;
    const sHash = this.#sHash;
    let i = sHash[s]! & mask;
    while (table[i] !== s) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const t = table[j]!;
      if (t === EMPTY) break;
      const home = sHash[t]! & mask;
      // Move t back into the hole at i unless its home lies cyclically in (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        table[i] = t;
        i = j;
      }
    }
    table[i] = EMPTY;
    const k = this.#sKey[s]!;
    if (this.#keySlot[k] === s) this.#keySlot[k] = EMPTY;
    this.#sKey[s] = EMPTY;
    this.#sExact[s] = undefined;
    this.#freeSlots.push(s);
    this.#live--;
    if (--this.#keyLive[k]! === 0) this.#liveKeys--;
    this.#markDirty(k);
  }

  #window(start: number): Win {
    const last = this.#lastWin;
    if (last !== null && last.start === start) return last;
    let win = this.#winByStart.get(start);
    if (win === undefined) {
      win = { start, fired: start + this.#size <= this.#watermark, slots: new Int32Array(64), n: 0 };
      this.#winByStart.set(start, win);
      const wins = this.#wins;
      let i = wins.length;
      while (i > 0 && wins[i - 1]!.start > start) i--;
      wins.splice(i, 0, win);
    }
    this.#lastWin = win;
    return win;
  }

  // ---- batch -----------------------------------------------------------------------------------

  #watermark = Number.NEGATIVE_INFINITY;

  /**
   * Merges the pairs `(pairRow[j], pairStart[j])`, j < np, of a batch: rows `keyId` (batch-local
   * ids into `enc` / `keyValue`), element watermarks `w`, inputs from the aggregation kernel.
   */
  merge(
    pairRow: Int32Array,
    pairStart: Float64Array,
    np: number,
    keyId: Int32Array,
    enc: readonly string[],
    keyValue: readonly unknown[],
    w: Float64Array,
    watermark: number,
  ): void {
    this.#watermark = watermark;
    const tr = this.translation(enc);
    const slotOf = new Int32Array(np);
    // Locals of the per-key arrays; refreshed after every call that may grow them.
    let keyDirty = this.#keyDirty;
    let keySlot = this.#keySlot;
    let sStart = this.#sStart;
    for (let j = 0; j < np; j++) {
      const r = pairRow[j]!;
      const local = keyId[r]!;
      let k = tr[local]!;
      if (k === EMPTY) {
        k = tr[local] = this.#intern(enc[local]!, keyValue[local]);
        keyDirty = this.#keyDirty;
        keySlot = this.#keySlot;
      }
      if (keyDirty[k] === 0) {
        this.#markDirty(k);
      }
      const start = pairStart[j]!;
      const cached = keySlot[k]!;
      if (cached !== EMPTY && sStart[cached] === start) {
        slotOf[j] = cached;
        continue;
      }
      slotOf[j] = this.#slot(k, start);
      sStart = this.#sStart;
    }
    // Slot arrays may have grown while creating slots: read them after.
    const pending = this.#sPending;
    const maxW = this.#sMaxW;
    const fired = this.#sFired;
    const lateMark = this.#sLate;
    for (let j = 0; j < np; j++) {
      const s = slotOf[j]!;
      pending[s]!++;
      const wv = w[pairRow[j]!]!;
      if (wv > maxW[s]!) maxW[s] = wv;
      if (fired[s] === 1 && lateMark[s] === 0) {
        lateMark[s] = 1;
        this.#late.push(s);
      }
    }
    const n = this.#sN;
    const val = this.#sVal;
    switch (this.#kind) {
      case COUNT:
        for (let j = 0; j < np; j++) n[slotOf[j]!]!++;
        break;
      case MIN: {
        const x = this.#agg.values!();
        for (let j = 0; j < np; j++) {
          const s = slotOf[j]!;
          const v = x[pairRow[j]!]!;
          val[s] = n[s]!++ === 0 ? v : Math.min(val[s]!, v);
        }
        break;
      }
      case MAX: {
        const x = this.#agg.values!();
        for (let j = 0; j < np; j++) {
          const s = slotOf[j]!;
          const v = x[pairRow[j]!]!;
          val[s] = n[s]!++ === 0 ? v : Math.max(val[s]!, v);
        }
        break;
      }
      default: {
        // sum, mean: integer fast path, exact accumulator otherwise.
        const x = this.#agg.values!();
        const exact = this.#sExact;
        for (let j = 0; j < np; j++) {
          const s = slotOf[j]!;
          const v = x[pairRow[j]!]!;
          n[s]!++;
          const e = exact[s];
          if (e !== undefined) {
            addToExactSum(e, v);
            continue;
          }
          const t = val[s]! + v;
          if (Number.isInteger(v) && Math.abs(t) < TWO_53) val[s] = t;
          else exact[s] = addToExactSum(exactOf(val[s]!), v);
        }
      }
    }
  }

  /**
   * End of the batch: late panes for fired windows that got elements, then (when `wm` rose) the
   * on-time panes of the windows whose end it reached, and the windows it passed by `L` are freed.
   */
  finish(prev: number, wm: number, outputWatermark: number, out: Output): void {
    const late = this.#late;
    if (late.length > 0) {
      this.#late = [];
      for (const s of late) {
        this.#sLate[s] = 0;
        if (this.#sPending[s]! > 0) this.#emit(s, "late", outputWatermark, out);
      }
    }
    if (!(wm > prev)) return;
    this.#watermark = wm;
    const size = this.#size;
    const L = this.#L;
    const wins = this.#wins;
    const accumulating = !this.#discarding;
    let freed = 0;
    for (let i = 0; i < wins.length; i++) {
      const win = wins[i]!;
      const end = win.start + size;
      if (end > wm) break;
      const slots = win.slots;
      if (!win.fired) {
        win.fired = true;
        const fired = this.#sFired;
        const pending = this.#sPending;
        for (let j = 0; j < win.n; j++) {
          const s = slots[j]!;
          if (fired[s] === 1) continue;
          fired[s] = 1;
          if (accumulating || pending[s]! > 0) this.#emit(s, "on_time", outputWatermark, out);
        }
      }
      if (end + L <= wm) {
        for (let j = 0; j < win.n; j++) this.#release(slots[j]!);
        this.#winByStart.delete(win.start);
        if (this.#lastWin === win) this.#lastWin = null;
        freed++;
      }
    }
    if (freed > 0) {
      // `end + L <= wm` holds for a prefix of the windows (in start order).
      wins.splice(0, freed);
      if (this.#live * 8 < this.#table.length && this.#table.length > 4096)
        this.#rehash(this.#table.length / 2);
    }
  }

  #value(s: number): unknown {
    switch (this.#kind) {
      case COUNT:
        return this.#sN[s];
      case MIN:
      case MAX:
        return this.#sN[s]! > 0 ? this.#sVal[s] : null;
      default:
        return this.#agg.extract(this.accOf(s));
    }
  }

  /** Slot `s` as the library's accumulator (count: number, sum: ExactSum, min/max, mean). */
  accOf(s: number): unknown {
    const n = this.#sN[s]!;
    switch (this.#kind) {
      case COUNT:
        return n;
      case MIN:
      case MAX:
        return { seen: n > 0, value: n > 0 ? this.#sVal[s]! : 0 };
      case SUM:
        return this.#sExact[s] ?? exactOf(this.#sVal[s]!);
      default:
        return { sum: this.#sExact[s] ?? exactOf(this.#sVal[s]!), count: n };
    }
  }

  #emit(s: number, timing: "on_time" | "late", outputWatermark: number, out: Output): void {
    const k = this.#sKey[s]!;
    const enc = this.#keyEnc[k]!;
    const start = this.#sStart[s]!;
    const end = start + this.#size;
    let value: unknown;
    try {
      value = this.#value(s);
    } catch (e) {
      throw new Error(
        `windowAggregate node '${this.#nodeId}': extracting the result of window [${start}, ${end}) ` +
          `for key ${enc} failed: ${e instanceof Error ? e.message : String(e)}. Fix the aggregation's extract function.`,
        { cause: e },
      );
    }
    const index = this.#sNext[s]!++;
    const key = this.#keyVal[k];
    const ts = end - 1;
    const w = timing === "on_time" ? ts : Math.max(this.#sMaxW[s]!, outputWatermark);
    this.#counters.out++;
    out.emit({
      value: { key, window: { start, end }, value, pane: { index, timing } },
      ts,
      w,
      id: [this.#nodeId, enc, start, index],
      key,
      keyEnc: enc,
    });
    this.#markDirty(k);
    this.#sPending[s] = 0;
    if (this.#discarding) {
      this.#sN[s] = 0;
      this.#sVal[s] = 0;
      this.#sExact[s] = undefined;
      this.#sMaxW[s] = Number.NEGATIVE_INFINITY;
    }
  }

  // ---- state -----------------------------------------------------------------------------------

  /** Keyed state entries: every key (`full`) or the keys changed since the last call (null = gone). */
  snapshot(full: boolean): [string, ColumnarKeyState | null][] {
    const wanted = new Uint8Array(this.#keyEnc.length);
    const ids: number[] = [];
    if (full) {
      for (let k = 0; k < this.#keyEnc.length; k++)
        if (this.#keyLive[k]! > 0) {
          wanted[k] = 1;
          ids.push(k);
        }
    } else
      for (let i = 0; i < this.#nDirty; i++) {
        const k = this.#dirty[i]!;
        wanted[k] = 1;
        ids.push(k);
      }
    this.clearDirty();
    const count = new Int32Array(this.#keyEnc.length);
    const sKey = this.#sKey;
    for (let s = 0; s < this.#used; s++) {
      const k = sKey[s]!;
      if (k !== EMPTY && wanted[k] === 1) count[k]!++;
    }
    const entries = new Map<number, ColumnarKeyState>();
    for (const k of ids)
      if (count[k]! > 0)
        entries.set(k, { key: this.#keyVal[k], slots: new Float64Array(count[k]! * STRIDE), exact: null });
    const fill = new Int32Array(this.#keyEnc.length);
    for (let s = 0; s < this.#used; s++) {
      const k = sKey[s]!;
      if (k === EMPTY || wanted[k] !== 1) continue;
      const e = entries.get(k)!;
      const i = fill[k]!++;
      const o = i * STRIDE;
      const a = e.slots;
      a[o] = this.#sStart[s]!;
      a[o + 1] = this.#sPending[s]!;
      a[o + 2] = this.#sMaxW[s]!;
      a[o + 3] = this.#sNext[s]!;
      a[o + 4] = this.#sFired[s]!;
      a[o + 5] = this.#sN[s]!;
      a[o + 6] = this.#sVal[s]!;
      const x = this.#sExact[s];
      if (x !== undefined) {
        e.exact ??= new Array<ExactSum | null>(count[k]!).fill(null);
        e.exact[i] = structuredClone(x);
      }
    }
    const out: [string, ColumnarKeyState | null][] = [];
    for (const k of ids) out.push([this.#keyEnc[k]!, entries.get(k) ?? null]);
    return out;
  }

  clearDirty(): void {
    for (let i = 0; i < this.#nDirty; i++) this.#keyDirty[this.#dirty[i]!] = 0;
    this.#nDirty = 0;
    this.#sweepKeys();
  }

  /** Forgets keys without windows once they outnumber the others (ids are reused). */
  #sweepKeys(): void {
    const idle = this.#keyIds.size - this.#liveKeys;
    if (idle < 65536 || idle < 2 * this.#liveKeys) return;
    for (let k = 0; k < this.#keyEnc.length; k++) {
      if (this.#keyLive[k]! > 0 || this.#keyEnc[k] === undefined) continue;
      if (this.#keyIds.get(this.#keyEnc[k]!) !== k) continue;
      this.#keyIds.delete(this.#keyEnc[k]!);
      this.#keyVal[k] = undefined;
      this.#keySlot[k] = EMPTY;
      this.#freeKeys.push(k);
    }
    this.#translations = new WeakMap();
  }

  /** Restores one key: a columnar entry, or the object form of window.ts (`acc` per window). */
  restoreKey(enc: string, entry: unknown, watermark: number): void {
    this.#watermark = watermark;
    const e = entry as Partial<ColumnarKeyState> & { windows?: unknown };
    const k = this.#intern(enc, e.key);
    if (e.slots instanceof Float64Array) {
      const a = e.slots;
      for (let i = 0; i * STRIDE < a.length; i++) {
        const o = i * STRIDE;
        const s = this.#slot(k, a[o]!);
        this.#sPending[s] = a[o + 1]!;
        this.#sMaxW[s] = a[o + 2]!;
        this.#sNext[s] = a[o + 3]!;
        this.#sFired[s] = a[o + 4]!;
        this.#sN[s] = a[o + 5]!;
        this.#sVal[s] = a[o + 6]!;
        const x = e.exact?.[i];
        if (x != null) this.#sExact[s] = x;
      }
      return;
    }
    const windows = (entry as { windows: ObjectSlot[] }).windows;
    for (const w of windows) {
      const s = this.#slot(k, w.start);
      this.#sPending[s] = w.pending;
      this.#sMaxW[s] = w.maxW;
      this.#sNext[s] = w.next;
      this.#sFired[s] = w.fired ? 1 : 0;
      this.#setAcc(s, w.acc);
    }
  }

  #setAcc(s: number, acc: unknown): void {
    switch (this.#kind) {
      case COUNT:
        this.#sN[s] = acc as number;
        return;
      case MIN:
      case MAX: {
        const a = acc as { seen: boolean; value: number };
        this.#sN[s] = a.seen ? 1 : 0;
        this.#sVal[s] = a.seen ? a.value : 0;
        return;
      }
      case SUM:
        this.#sN[s] = 0;
        this.#sExact[s] = acc as ExactSum;
        return;
      default: {
        const a = acc as { sum: ExactSum; count: number };
        this.#sN[s] = a.count;
        this.#sExact[s] = a.sum;
      }
    }
  }
}

interface ObjectSlot {
  start: number;
  pending: number;
  maxW: number;
  next: number;
  fired: boolean;
  acc: unknown;
}

/** An exact sum holding the integer `v` (|v| < 2^53). */
function exactOf(v: number): ExactSum {
  const e = createExactSum();
  return v === 0 ? e : addToExactSum(e, v);
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(a: T, cap: number): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a);
  return b;
}

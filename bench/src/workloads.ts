/**
 * The three benchmark workloads, each as a real Tributary pipeline (SDK → IR → embedded runner)
 * and as the hand-written loop doing the same work (the ceiling).
 */
import { type BuiltPipeline, count, max, pipeline, sliding, tumbling } from "@tributary/sdk";
import { newTally, type Tally, tallyElement, tallyWindow } from "./checksum.ts";

/** A record of the `numbers` generator. `born` is set only by the latency source. */
export interface NumberEvent {
  readonly key: string;
  readonly value: number;
  readonly ts: number;
  readonly born?: number;
}

/** What the stateless workload emits. */
export interface Mapped {
  readonly key: string;
  readonly v: number;
  readonly born: number | undefined;
}

/** A window result as the runner emits it (the fields the checksum needs). */
interface WindowOut {
  readonly key: string;
  readonly window: { readonly start: number; readonly end: number };
  readonly value: number;
}

export const SLIDING_SIZE_MS = 10_000;
export const SLIDING_SLIDE_MS = 2_000;

// ---- the stateless map/filter, shared by the pipeline and the ceiling -----------------------

export const mapEvent = (e: NumberEvent): Mapped => ({ key: e.key, v: e.value * 2, born: e.born });
/** Keeps about half: values are uniform in [0, 1000), so `v` is uniform in [0, 2000). */
export const keepMapped = (m: Mapped): boolean => m.v >= 1000;

// ---- pipelines ------------------------------------------------------------------------------

export function tumblingPipeline(sizeMs: number): BuiltPipeline {
  return pipeline("bench-tumbling-count", (p) => {
    p.source<NumberEvent>("events")
      .withTimestamps((e) => e.ts)
      .keyBy((e) => e.key)
      .window(tumbling(sizeMs))
      .aggregate(count())
      .sink("out");
  }).build();
}

export function slidingPipeline(): BuiltPipeline {
  return pipeline("bench-sliding-max", (p) => {
    p.source<NumberEvent>("events")
      .withTimestamps((e) => e.ts)
      .keyBy((e) => e.key)
      .window(sliding(SLIDING_SIZE_MS, SLIDING_SLIDE_MS))
      .aggregate(max((e) => e.value))
      .sink("out");
  }).build();
}

export function statelessPipeline(): BuiltPipeline {
  return pipeline("bench-map-filter", (p) => {
    p.source<NumberEvent>("events").map(mapEvent).filter(keepMapped).sink("out");
  }).build();
}

// ---- what the sinks see ---------------------------------------------------------------------

/** Tallies window results (`{ key, window, value }`). */
export function windowTallier(): { tally: Tally; consume: (values: readonly unknown[]) => void } {
  const tally = newTally();
  return {
    tally,
    consume(values) {
      for (let i = 0; i < values.length; i++) {
        const r = values[i] as WindowOut;
        tallyWindow(tally, r.key, r.window.start, r.value);
      }
    },
  };
}

/** Tallies mapped elements (`{ key, v }`). */
export function elementTallier(): { tally: Tally; consume: (values: readonly unknown[]) => void } {
  const tally = newTally();
  return {
    tally,
    consume(values) {
      for (let i = 0; i < values.length; i++) {
        const m = values[i] as Mapped;
        tallyElement(tally, m.key, m.v);
      }
    },
  };
}

// ---- the ceiling: hand-written loops --------------------------------------------------------

interface Win<A> {
  readonly start: number;
  readonly end: number;
  acc: A;
}

/** A per-key fixed-window aggregation written by hand. */
export interface WindowAgg<A> {
  create(): A;
  add(acc: A, e: NumberEvent): A;
  extract(acc: A): number;
}

export const COUNT_AGG: WindowAgg<number> = {
  create: () => 0,
  add: (acc) => acc + 1,
  extract: (acc) => acc,
};

export const MAX_AGG: WindowAgg<number> = {
  create: () => Number.NEGATIVE_INFINITY,
  add: (acc, e) => Math.max(acc, e.value),
  extract: (acc) => acc,
};

/**
 * Keyed fixed windows (tumbling when `slide === size`) in a Map from key to its live windows,
 * fired when the watermark (the largest timestamp so far: the input is in order) reaches their
 * end, exactly as the pipeline's windows fire. Input must be in timestamp order.
 */
export class WindowCeiling<A> {
  readonly #keys = new Map<string, Win<A>[]>();
  /** Window ends that have live windows, ascending, and the keys with a window ending then. */
  readonly #ends: number[] = [];
  readonly #due = new Map<number, string[]>();
  #next = 0;
  #watermark = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly size: number,
    private readonly slide: number,
    private readonly agg: WindowAgg<A>,
    private readonly emit: (results: WindowOut[]) => void,
  ) {}

  add(e: NumberEvent): void {
    const ts = e.ts;
    if (ts < this.#watermark) throw new Error("WindowCeiling: input out of order");
    const { size, slide, agg } = this;
    let windows = this.#keys.get(e.key);
    if (windows === undefined) {
      windows = [];
      this.#keys.set(e.key, windows);
    }
    // Starts from the newest window down; the key's windows are sorted by start.
    const r = ts % slide;
    let j = windows.length - 1;
    for (let start = ts - (r < 0 ? r + slide : r); start > ts - size; start -= slide) {
      while (j >= 0 && windows[j]!.start > start) j--;
      if (j >= 0 && windows[j]!.start === start) {
        const w = windows[j]!;
        w.acc = agg.add(w.acc, e);
      } else {
        const end = start + size;
        windows.splice(j + 1, 0, { start, end, acc: agg.add(agg.create(), e) });
        this.#register(end, e.key);
      }
    }
    this.#watermark = ts;
  }

  #register(end: number, key: string): void {
    let keys = this.#due.get(end);
    if (keys === undefined) {
      keys = [];
      this.#due.set(end, keys);
      const ends = this.#ends;
      // Ends arrive in ascending order for in-order input, except the older windows of a sliding element.
      let i = ends.length;
      while (i > this.#next && ends[i - 1]! > end) i--;
      ends.splice(i, 0, end);
    }
    keys.push(key);
  }

  /** Fire every window whose end the watermark reached (call between batches, and with Infinity at the end). */
  advance(watermark: number = this.#watermark): void {
    const ends = this.#ends;
    const out: WindowOut[] = [];
    while (this.#next < ends.length && ends[this.#next]! <= watermark) {
      const end = ends[this.#next++]!;
      const keys = this.#due.get(end)!;
      this.#due.delete(end);
      for (const key of keys) {
        const windows = this.#keys.get(key)!;
        // Older windows fired before: the window ending at `end` is the key's first.
        const w = windows.shift()!;
        out.push({ key, window: { start: w.start, end: w.end }, value: this.agg.extract(w.acc) });
        if (windows.length === 0) this.#keys.delete(key);
      }
    }
    if (this.#next > 4096) {
      ends.splice(0, this.#next);
      this.#next = 0;
    }
    if (out.length > 0) this.emit(out);
  }
}

/** The hand-written map/filter over one batch. */
export function mapFilterBatch(events: readonly NumberEvent[]): Mapped[] {
  const out: Mapped[] = [];
  for (let i = 0; i < events.length; i++) {
    const m = mapEvent(events[i]!);
    if (keepMapped(m)) out.push(m);
  }
  return out;
}

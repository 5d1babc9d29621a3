/**
 * Test helpers for the window operator: a Map-backed state backend, tiny aggregators, a
 * collecting Output, operator construction, random schedules and the "final view".
 */
import type { IrNodeOf, WindowSpec } from "@tributary/sdk";
import type { Aggregator } from "../../src/aggregations/aggregator.ts";
import { makeAggregator } from "../../src/aggregations/make-aggregator.ts";
import type { Output } from "../../src/operator.ts";
import type { DeadLetter, StreamRecord } from "../../src/record.ts";
import type { KeyedStateStore, StateBackend } from "../../src/state/backend.ts";
import type { WindowResult } from "../../src/windows/pane.ts";
import { WindowAggregateOperator } from "../../src/windows/window-aggregate.ts";

export class MapStore<V> implements KeyedStateStore<V> {
  readonly map = new Map<string, V>();
  get(k: string): V | undefined {
    return this.map.get(k);
  }
  set(k: string, _g: number, v: V): void {
    this.map.set(k, v);
  }
  delete(k: string): void {
    this.map.delete(k);
  }
  prefetch(): void {}
  async *keys(): AsyncIterable<string> {
    yield* this.map.keys();
  }
}

/** A store whose prefetch is asynchronous, to exercise the async path. */
export class AsyncMapStore<V> extends MapStore<V> {
  prefetches = 0;
  override prefetch(): Promise<void> {
    this.prefetches++;
    return Promise.resolve();
  }
}

export class MapBackend implements StateBackend {
  readonly stores = new Map<string, MapStore<unknown>>();
  constructor(readonly async = false) {}
  store<V>(name: string): KeyedStateStore<V> {
    let s = this.stores.get(name);
    if (!s) {
      s = this.async ? new AsyncMapStore() : new MapStore();
      this.stores.set(name, s);
    }
    return s as KeyedStateStore<V>;
  }
  async checkpoint(): Promise<void> {}
  async restore(): Promise<null> {
    return null;
  }
  async close(): Promise<void> {}
}

/** The library's own count aggregation. */
export const countAgg: Aggregator = makeAggregator(
  { shape: "single", aggregation: { kind: "count" } },
  new Map(),
);

/** Sums `value` (a number); throws for a non-number, to test onError. */
export const sumAgg: Aggregator<number, number> = {
  create: () => 0,
  add: (a, r) => {
    if (typeof r.value !== "number") throw new Error(`not a number: ${JSON.stringify(r.value)}`);
    return a + r.value;
  },
  merge: (a, b) => a + b,
  extract: (a) => a,
};

export class Collector implements Output {
  readonly emitted: StreamRecord[] = [];
  readonly lateRecords: StreamRecord[] = [];
  readonly dead: DeadLetter[] = [];
  emit(r: StreamRecord): void {
    this.emitted.push(r);
  }
  late(r: StreamRecord): void {
    this.lateRecords.push(r);
  }
  deadLetter(d: DeadLetter): void {
    this.dead.push(d);
  }
  results(): WindowResult<number>[] {
    return this.emitted.map((r) => r.value as WindowResult<number>);
  }
}

export interface NodeParams {
  window: WindowSpec;
  allowedLatenessMs?: number;
  early?: { everyElements?: number; everyProcessingTimeMs?: number } | null;
  accumulation?: "accumulating" | "discarding";
  onError?: "fail" | "dead-letter";
}

export function windowNode(p: NodeParams): IrNodeOf<"windowAggregate"> {
  return {
    id: "win",
    kind: "windowAggregate",
    inputs: ["in"],
    outputSchema: {},
    params: {
      window: p.window,
      allowedLatenessMs: p.allowedLatenessMs ?? 0,
      early: p.early ?? null,
      accumulation: p.accumulation ?? "accumulating",
      aggregate: { shape: "single", aggregation: { kind: "count" } },
      onError: p.onError ?? "fail",
    },
  };
}

export function makeOp(
  p: NodeParams,
  agg: Aggregator = countAgg,
  opts: { backend?: MapBackend; now?: () => number } = {},
): { op: WindowAggregateOperator; backend: MapBackend } {
  const backend = opts.backend ?? new MapBackend();
  const op = new WindowAggregateOperator({
    node: windowNode(p),
    aggregator: agg,
    state: backend,
    keyGroup: (k) => k.length % 128,
    ...(opts.now ? { now: opts.now } : {}),
  });
  return { op, backend };
}

/** A keyed input record; `seq` makes the identity unique. */
export function rec(key: string, ts: number, w: number, seq: number, value: unknown = 1): StreamRecord {
  return { value, ts, w, id: ["src", 0, seq], key, keyEnc: JSON.stringify(key) };
}

/** One step of a run: a batch of records, or an operator-watermark advance. */
export type Step = { batch: StreamRecord[] } | { watermark: number };

/**
 * A valid schedule for `records` in the given order: random batch splits and random monotone
 * watermark advances such that every record's `w` is >= the operator watermark at its arrival;
 * ends with `+Infinity`. `rand` returns numbers in [0, 1).
 */
export function schedule(records: readonly StreamRecord[], rand: () => number): Step[] {
  const n = records.length;
  const suffixMinW: number[] = new Array(n + 1);
  suffixMinW[n] = Number.POSITIVE_INFINITY;
  for (let i = n - 1; i >= 0; i--) suffixMinW[i] = Math.min(records[i]!.w, suffixMinW[i + 1]!);
  const steps: Step[] = [];
  let wm = Number.NEGATIVE_INFINITY;
  let i = 0;
  while (i < n) {
    const bound = suffixMinW[i]!;
    if (rand() < 0.4 && Number.isFinite(bound)) {
      const base = Number.isFinite(wm) ? wm : bound - 50;
      const next = Math.floor(base + (bound - base) * rand());
      if (next > wm) {
        wm = next;
        steps.push({ watermark: wm });
      }
    }
    const len = 1 + Math.floor(rand() * 4);
    steps.push({ batch: records.slice(i, i + len) });
    i += len;
  }
  steps.push({ watermark: Number.POSITIVE_INFINITY });
  return steps;
}

/** Run the steps synchronously or asynchronously (the operator may return promises). */
export async function run(
  op: WindowAggregateOperator,
  steps: readonly Step[],
  out: Collector,
): Promise<void> {
  for (const s of steps) {
    if ("batch" in s) await op.processBatch(s.batch, out);
    else await op.onWatermark(s.watermark, out);
  }
}

const windowId = (key: unknown, w: { start: number; end: number }) =>
  `${JSON.stringify(key)}|${w.start}|${w.end}`;

/**
 * The final view (SEMANTICS.md §5): per key and window, the last pane (accumulating) or the
 * merge of all panes (discarding; a window's merge includes the windows its panes replaced);
 * windows that a later pane replaced are left out. Returns `"key|start|end" → value`, sorted.
 */
export function finalView(
  results: readonly WindowResult<number>[],
  mode: "accumulating" | "discarding",
  merge: (a: number, b: number) => number = (a, b) => a + b,
): Map<string, number> {
  const own = new Map<string, number>();
  const replacedBy = new Map<string, string[]>();
  const replaced = new Set<string>();
  for (const r of results) {
    const id = windowId(r.key, r.window);
    const prev = own.get(id);
    own.set(id, mode === "accumulating" || prev === undefined ? r.value : merge(prev, r.value));
    for (const x of r.pane.replaces ?? []) {
      const xid = windowId(r.key, x);
      replaced.add(xid);
      const list = replacedBy.get(id) ?? [];
      list.push(xid);
      replacedBy.set(id, list);
    }
  }
  const total = (id: string): number => {
    let v = own.get(id)!;
    if (mode === "discarding") for (const x of replacedBy.get(id) ?? []) v = merge(v, total(x));
    return v;
  };
  const view = new Map<string, number>();
  for (const id of [...own.keys()].sort()) if (!replaced.has(id)) view.set(id, total(id));
  return view;
}

/** Fisher–Yates with a given random source. */
export function shuffle<T>(xs: readonly T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** A deterministic pseudo-random source from a seed (mulberry32). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export { windowId };

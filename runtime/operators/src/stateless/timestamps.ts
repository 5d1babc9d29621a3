import type { WatermarkStrategy } from "@tributary/sdk";
import type { InPlaceOperator, Output, Snapshot } from "../operator.ts";
import type { MutableStreamRecord, StreamRecord } from "../record.ts";
import { StatelessBase, type StatelessOptions } from "./base.ts";
import { describeCall, formatIdentity, handleUserFunctionError } from "./user-function-error.ts";

/** Options of {@link TimestampsOperator}. `fn` is the user's timestamp function. */
export interface TimestampsOptions extends StatelessOptions<unknown> {
  readonly watermark: WatermarkStrategy;
  /** Number of source partitions known up front (more are registered when first seen). */
  readonly partitions?: number;
}

interface TimestampsSnapshot {
  counters: Record<string, number>;
  watermarks: number[];
  maxTs: number[];
}

/**
 * Assigns event timestamps (`ts = fn(value)`) and tracks one watermark per source partition
 * (`id[1]`, SEMANTICS.md §2). Each output record carries as `w` its partition's watermark just
 * before the element; after it, `W_p = max(W_p, maxTs_p - D)`. Watermarks start at `-Infinity`.
 *
 * A timestamp that is not a safe integer is bad input: dead-lettered with reason `bad-timestamp`
 * (whatever `onError` says; `onError` governs a timestamp function that throws).
 *
 * The runner forwards {@link currentWatermark} (the minimum over registered partitions)
 * downstream as this operator's watermark.
 *
 * @example
 * ```ts
 * const ts = new TimestampsOperator({ nodeId: "ts", fn: (v) => (v as { t: number }).t,
 *   watermark: { kind: "boundedOutOfOrderness", maxOutOfOrdernessMs: 5 }, partitions: 2 });
 * ts.processBatch(records, out);
 * ts.finishPartition(0);
 * const w = ts.currentWatermark();
 * ```
 */
export class TimestampsOperator extends StatelessBase implements InPlaceOperator {
  readonly nodeKind = "timestamps";
  readonly #fn: (value: unknown) => unknown;
  readonly #delay: number;
  /** Scratch: the timestamp and element watermark {@link #stamp} computed last. */
  #ts = 0;
  #w = Number.NEGATIVE_INFINITY;
  #watermarks: number[] = [];
  #maxTs: number[] = [];

  constructor(opts: TimestampsOptions) {
    super(opts);
    this.#fn = opts.fn;
    this.#delay = opts.watermark.kind === "monotonous" ? 0 : opts.watermark.maxOutOfOrdernessMs;
    if (opts.partitions !== undefined) this.registerPartitions(opts.partitions);
  }

  /** Make sure partitions `0 .. count-1` exist (new ones start at `-Infinity`). */
  registerPartitions(count: number): void {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(
        `timestamps node '${this.nodeId}': partition count must be an integer >= 0, got ${count}`,
      );
    }
    while (this.#watermarks.length < count) {
      this.#watermarks.push(Number.NEGATIVE_INFINITY);
      this.#maxTs.push(Number.NEGATIVE_INFINITY);
    }
  }

  /** Number of registered partitions. */
  get partitionCount(): number {
    return this.#watermarks.length;
  }

  /** The watermark of partition `p` (`-Infinity` if unknown). */
  partitionWatermark(p: number): number {
    return this.#watermarks[p] ?? Number.NEGATIVE_INFINITY;
  }

  /** Raise partition `p`'s watermark explicitly (scripted sources): `W_p = max(W_p, watermark)`. */
  advancePartition(p: number, watermark: number): void {
    this.#checkPartition(p);
    const ws = this.#watermarks;
    if (watermark > ws[p]!) ws[p] = watermark;
  }

  /** Partition `p` reached the end of its input: `W_p = +Infinity`. */
  finishPartition(p: number): void {
    this.#checkPartition(p);
    this.#watermarks[p] = Number.POSITIVE_INFINITY;
  }

  /** The minimum watermark over registered partitions (`-Infinity` when none is registered). */
  currentWatermark(): number {
    const ws = this.#watermarks;
    if (ws.length === 0) return Number.NEGATIVE_INFINITY;
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < ws.length; i++) if (ws[i]! < min) min = ws[i]!;
    return min;
  }

  processBatch(batch: readonly StreamRecord[], out: Output): void {
    const c = this.counters;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      c.in++;
      if (!this.#stamp(r, out)) continue;
      c.out++;
      out.emit({ value: r.value, ts: this.#ts, w: this.#w, id: r.id, key: r.key, keyEnc: r.keyEnc });
    }
  }

  /** {@link processBatch} for chaining: `ts` and `w` are written into the record. */
  processBatchInPlace(batch: MutableStreamRecord[], out: Output): void {
    const c = this.counters;
    const n = batch.length;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const r = batch[i]!;
      c.in++;
      if (!this.#stamp(r, out)) continue;
      c.out++;
      r.ts = this.#ts;
      r.w = this.#w;
      batch[kept++] = r;
    }
    batch.length = kept;
  }

  /**
   * Timestamps one record: on success leaves its timestamp in `#ts` and its element watermark
   * (the partition's watermark before it) in `#w`, then raises the partition's watermark; on a
   * throwing function or a bad timestamp, dead-letters or fails and returns false.
   */
  #stamp(r: StreamRecord, out: Output): boolean {
    const ws = this.#watermarks;
    const maxTs = this.#maxTs;
    const p = r.id[1];
    if (typeof p !== "number" || p >= ws.length) this.#checkPartition(p);
    const pi = p as number;
    let ts: unknown;
    try {
      ts = this.#fn(r.value);
    } catch (e) {
      handleUserFunctionError(this, r, e, out, this.counters);
      return false;
    }
    if (!Number.isSafeInteger(ts)) {
      this.#badTimestamp(r, ts, out);
      return false;
    }
    const t = ts as number;
    const w = ws[pi]!;
    this.#ts = t;
    this.#w = w;
    if (t > maxTs[pi]!) {
      maxTs[pi] = t;
      const candidate = t - this.#delay;
      if (candidate > w) ws[pi] = candidate;
    }
    return true;
  }

  override snapshot(): Snapshot {
    const s: TimestampsSnapshot = {
      counters: { ...this.counters },
      watermarks: [...this.#watermarks],
      maxTs: [...this.#maxTs],
    };
    return s;
  }

  override restore(snapshot: Snapshot): void {
    super.restore(snapshot);
    const s = snapshot as Partial<TimestampsSnapshot> | null;
    if (s?.watermarks && s.maxTs) {
      this.#watermarks = [...s.watermarks];
      this.#maxTs = [...s.maxTs];
    }
  }

  /** Registers a non-negative integer partition on first sight; anything else is a runner bug. */
  #checkPartition(p: unknown): void {
    if (typeof p !== "number" || !Number.isSafeInteger(p) || p < 0) {
      throw new TypeError(
        `timestamps node '${this.nodeId}': element identity must be [source, partition, offset] with an ` +
          `integer partition >= 0, got partition ${JSON.stringify(p)}. This is a runner or source bug.`,
      );
    }
    if (p >= this.#watermarks.length) this.registerPartitions(p + 1);
  }

  #badTimestamp(r: StreamRecord, ts: unknown, out: Output): void {
    this.counters.deadLettered++;
    out.deadLetter({
      id: r.id,
      nodeId: this.nodeId,
      reason: "bad-timestamp",
      message:
        `the timestamp function of ${describeCall(this)} returned ${describeValue(ts)} for element ` +
        `${formatIdentity(r.id)}; timestamps must be safe integers (milliseconds since the epoch). ` +
        `Fix the function (e.g. Date.parse(...) or Math.floor(...)) or fix the input element.`,
      payload: r.value,
    });
  }
}

function describeValue(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  if (v === undefined) return "undefined";
  try {
    return `${typeof v} ${JSON.stringify(v)}`;
  } catch {
    return typeof v;
  }
}

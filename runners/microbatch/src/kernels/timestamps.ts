/**
 * Timestamps and per-element watermarks for a micro-batch (SEMANTICS.md §1–§2): `ts` by the user
 * function (row-wise until the lambda translator lands), then the element watermark of every
 * row as a running prefix max per source partition, seeded from the previous batch:
 * `w_i = max(seed_p, max over earlier valid rows j of p of ts_j - D)`.
 */
import {
  handleUserFunctionError,
  newCounters,
  type OperatorCounters,
  type Output,
  type StreamRecord,
  type UserFunctionSite,
} from "@tributary/operators";
import type { FnRegistry, IrNodeOf } from "@tributary/sdk";
import { type Chunk, type Column, cell } from "../batch.ts";

/** A scripted watermark travelling in the source's row stream (test sources only). */
export interface WatermarkMarker {
  readonly marker: "watermark";
  readonly partition: number;
  readonly watermark: number;
}

export interface TimestampsMeta {
  counters: OperatorCounters;
  watermarks: number[];
  maxTs: number[];
}

export class TimestampsKernel {
  readonly nodeId: string;
  readonly counters: OperatorCounters = newCounters();
  watermarks: number[] = [];
  maxTs: number[] = [];
  readonly #fn: (v: unknown) => unknown;
  readonly #delay: number;
  readonly #site: UserFunctionSite;

  constructor(node: IrNodeOf<"timestamps">, fns: FnRegistry) {
    this.nodeId = node.id;
    const p = node.params;
    this.#fn = fns.get(p.timestamp.id) as unknown as (v: unknown) => unknown;
    this.#delay = p.watermark.kind === "monotonous" ? 0 : p.watermark.maxOutOfOrdernessMs;
    this.#site = { nodeId: node.id, nodeKind: "timestamps", fn: p.timestamp, onError: p.onError };
  }

  registerPartitions(count: number): void {
    while (this.watermarks.length < count) {
      this.watermarks.push(Number.NEGATIVE_INFINITY);
      this.maxTs.push(Number.NEGATIVE_INFINITY);
    }
  }

  finishPartition(p: number): void {
    this.watermarks[p] = Number.POSITIVE_INFINITY;
  }

  currentWatermark(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const w of this.watermarks) if (w < min) min = w;
    return this.watermarks.length === 0 ? Number.NEGATIVE_INFINITY : min;
  }

  process(rows: readonly (StreamRecord | WatermarkMarker)[], out: Output): StreamRecord[] {
    const n = rows.length;
    const c = this.counters;
    const fn = this.#fn;
    // Column of timestamps (NaN = no valid timestamp).
    const ts = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      if ("marker" in r) {
        ts[i] = Number.NaN;
        continue;
      }
      c.in++;
      let t: unknown;
      try {
        t = fn(r.value);
      } catch (e) {
        handleUserFunctionError(this.#site, r, e, out, c);
        ts[i] = Number.NaN;
        continue;
      }
      if (!Number.isSafeInteger(t)) {
        c.deadLettered++;
        out.deadLetter({
          id: r.id,
          nodeId: this.nodeId,
          reason: "bad-timestamp",
          message: `the timestamp function of timestamps node '${this.nodeId}' returned ${String(t)} for element ${JSON.stringify(r.id)}; timestamps must be safe integers (milliseconds since the epoch).`,
          payload: r.value,
        });
        ts[i] = Number.NaN;
        continue;
      }
      ts[i] = t as number;
    }
    // Prefix max per partition, seeded from the previous batch.
    const ws = this.watermarks;
    const maxTs = this.maxTs;
    const delay = this.#delay;
    const result: StreamRecord[] = [];
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      if ("marker" in r) {
        this.registerPartitions(r.partition + 1);
        if (r.watermark > ws[r.partition]!) ws[r.partition] = r.watermark;
        continue;
      }
      const t = ts[i]!;
      if (Number.isNaN(t)) continue;
      const p = r.id[1] as number;
      if (p >= ws.length) this.registerPartitions(p + 1);
      const w = ws[p]!;
      c.out++;
      result.push({ value: r.value, ts: t, w, id: r.id, key: r.key, keyEnc: r.keyEnc });
      if (t > maxTs[p]!) {
        maxTs[p] = t;
        if (t - delay > w) ws[p] = t - delay;
      }
    }
    return result;
  }

  /**
   * A columnar chunk with its timestamp column `t` (the user function's results, evaluated as a
   * column loop): bad timestamps are dead-lettered, element watermarks come from the prefix max
   * per partition, and the valid rows are returned with `ts` and `w`.
   */
  processChunk(chunk: Chunk, t: Column, out: Output): Chunk {
    const n = chunk.length;
    const c = this.counters;
    c.in += n;
    const ts = new Float64Array(n);
    const keep = new Int32Array(n);
    let m = 0;
    if (t.kind === "f64" && t.nulls === null) {
      const v = t.values;
      for (let i = 0; i < n; i++) {
        const x = v[i]!;
        if (Number.isSafeInteger(x)) {
          ts[m] = x;
          keep[m++] = i;
        } else this.#badTimestamp(chunk.record(i), x, out);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const x = cell(t, i);
        if (Number.isSafeInteger(x)) {
          ts[m] = x as number;
          keep[m++] = i;
        } else this.#badTimestamp(chunk.record(i), x, out);
      }
    }
    const part = chunk.part;
    const w = new Float64Array(m);
    const ws = this.watermarks;
    const maxTs = this.maxTs;
    const delay = this.#delay;
    let p = -1;
    let wp = 0;
    let mp = 0;
    for (let j = 0; j < m; j++) {
      const q = part[keep[j]!]!;
      if (q !== p) {
        if (p !== -1) {
          ws[p] = wp;
          maxTs[p] = mp;
        }
        if (q >= ws.length) this.registerPartitions(q + 1);
        p = q;
        wp = ws[q]!;
        mp = maxTs[q]!;
      }
      w[j] = wp;
      const x = ts[j]!;
      if (x > mp) {
        mp = x;
        if (x - delay > wp) wp = x - delay;
      }
    }
    if (p !== -1) {
      ws[p] = wp;
      maxTs[p] = mp;
    }
    c.out += m;
    const kept = chunk.select(keep, m);
    return kept.derive(ts.length === m ? ts : ts.subarray(0, m), w, kept.key);
  }

  #badTimestamp(r: StreamRecord, t: unknown, out: Output): void {
    this.counters.deadLettered++;
    out.deadLetter({
      id: r.id,
      nodeId: this.nodeId,
      reason: "bad-timestamp",
      message: `the timestamp function of timestamps node '${this.nodeId}' returned ${String(t)} for element ${JSON.stringify(r.id)}; timestamps must be safe integers (milliseconds since the epoch).`,
      payload: r.value,
    });
  }

  meta(): TimestampsMeta {
    return { counters: { ...this.counters }, watermarks: [...this.watermarks], maxTs: [...this.maxTs] };
  }

  restore(m: TimestampsMeta): void {
    Object.assign(this.counters, m.counters);
    this.watermarks = [...m.watermarks];
    this.maxTs = [...m.maxTs];
  }
}

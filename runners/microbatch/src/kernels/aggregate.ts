/**
 * Partial aggregation kernels: per micro-batch, the inputs of the rows are evaluated once into
 * typed arrays, then folded per group (key × window) into partial accumulators that are merged
 * into the window state. count, sum, min, max and mean are vectorized (accumulators in typed
 * arrays, exact sums per group); every other aggregation runs row-wise through the shared
 * library's aggregator (one singleton accumulator per row, merged per group).
 *
 * Accumulators have the library's formats (count: number, sum: ExactSum, min/max: ExtremumAcc,
 * mean: MeanAcc, fields: array), so results equal the embedded runner's.
 */
import {
  type Aggregator,
  addToExactSum,
  createExactSum,
  type ExactSum,
  type ExtremumAcc,
  type MeanAcc,
  makeAggregation,
  mergeExactSums,
  requireNumber,
  type StreamRecord,
} from "@tributary/operators";
import type { Aggregate, AggregationSpec, FnRegistry } from "@tributary/sdk";
import { type Chunk, cell } from "../batch.ts";
import type { ColumnFn } from "../batch-lambdas.ts";

export interface AggKernel {
  readonly vectorized: boolean;
  /** count, sum, min, max, mean (one vectorized aggregation): the columnar window store can hold it. */
  readonly kind?: "count" | "sum" | "min" | "max" | "mean";
  /** The inputs evaluated by the last {@link load} / {@link loadChunk}, by row (numeric kinds). */
  values?(): Float64Array;
  readonly describe: string;
  /**
   * Evaluate the inputs of the rows with `use[i] === 1`. A row whose input fails is reported to
   * `onError` and gets `use[i] = 0`.
   */
  load(
    records: readonly StreamRecord[],
    use: Uint8Array,
    onError: (row: number, error: unknown) => void,
  ): void;
  /**
   * Columnar form of {@link load} over a chunk (inputs as column loops). Returns false when it
   * cannot (then {@link load} runs on the chunk's records). Absent for row-wise kernels.
   */
  loadChunk?(chunk: Chunk, use: Uint8Array, onError: (row: number, error: unknown) => void): boolean;
  /** Partial accumulators per group from `(pairRow[j], pairGroup[j])`, j < nPairs. */
  partials(nGroups: number, pairRow: Int32Array, pairGroup: Int32Array, nPairs: number): unknown[];
  create(): unknown;
  /** Merge `b` into `a` (may mutate and return `a`). */
  merge(a: unknown, b: unknown): unknown;
  extract(acc: unknown): unknown;
}

const VECTOR_KINDS = new Set(["count", "sum", "min", "max", "mean"]);

/** `inputs`: translated input expressions by function id (for {@link AggKernel.loadChunk}). */
export function makeAggKernel(
  aggregate: Aggregate,
  fns: FnRegistry,
  inputs: ReadonlyMap<string, ColumnFn> = new Map(),
): AggKernel {
  if (aggregate.shape === "single") return kernelOf(aggregate.aggregation, fns, inputs);
  const names = Object.keys(aggregate.fields);
  const parts = names.map((n) => kernelOf(aggregate.fields[n]!, fns, inputs, n));
  return fieldsKernel(names, parts);
}

function kernelOf(
  spec: AggregationSpec,
  fns: FnRegistry,
  inputs: ReadonlyMap<string, ColumnFn>,
  field?: string,
): AggKernel {
  const lib = makeAggregation(spec, fns, field);
  if (!VECTOR_KINDS.has(spec.kind)) return rowWiseKernel(spec.kind, lib);
  if (spec.kind === "count") return countKernel();
  const ref = (spec as { input: { id: string } }).input;
  const input = fns.get(ref.id) as unknown as (v: unknown) => unknown;
  const kind = spec.kind as "sum" | "min" | "max" | "mean";
  return numericKernel(kind, input, lib, inputs.get(ref.id) ?? null);
}

function countKernel(): AggKernel {
  return {
    vectorized: true,
    kind: "count",
    describe: "count",
    load() {},
    loadChunk: () => true,
    partials(nGroups, _rows, groups, nPairs) {
      const counts = new Float64Array(nGroups);
      for (let j = 0; j < nPairs; j++) counts[groups[j]!]!++;
      return Array.from(counts);
    },
    create: () => 0,
    merge: (a, b) => (a as number) + (b as number),
    extract: (acc) => acc,
  };
}

function numericKernel(
  kind: "sum" | "min" | "max" | "mean",
  input: (v: unknown) => unknown,
  lib: Aggregator,
  column: ColumnFn | null,
): AggKernel {
  let x = new Float64Array(0);
  return {
    vectorized: true,
    kind,
    describe: kind,
    values: () => x,
    loadChunk(chunk, use, onError) {
      if (column === null) return false;
      const col = column.eval(chunk);
      if (col === null) return false;
      const n = chunk.length;
      if (x.length < n) x = new Float64Array(Math.max(n, x.length * 2));
      if (col.kind === "f64" && col.nulls === null) {
        x.set(col.values);
        return true;
      }
      for (let i = 0; i < n; i++) {
        if (use[i] === 0) continue;
        const v = col.kind === "f64" && col.nulls === null ? col.values[i] : cell(col, i);
        if (typeof v === "number") x[i] = v;
        else
          try {
            // Not a number: the input function itself reports it, as row-wise.
            x[i] = requireNumber(kind, input(chunk.value(i)));
          } catch (e) {
            use[i] = 0;
            onError(i, e);
          }
      }
      return true;
    },
    load(records, use, onError) {
      if (x.length < records.length) x = new Float64Array(Math.max(records.length, x.length * 2));
      for (let i = 0; i < records.length; i++) {
        if (use[i] === 0) continue;
        try {
          x[i] = requireNumber(kind, input(records[i]!.value));
        } catch (e) {
          use[i] = 0;
          onError(i, e);
        }
      }
    },
    partials(nGroups, rows, groups, nPairs) {
      const out = new Array<unknown>(nGroups);
      if (kind === "min" || kind === "max") {
        const best = new Float64Array(nGroups);
        const seen = new Uint8Array(nGroups);
        const pick = kind === "min" ? Math.min : Math.max;
        for (let j = 0; j < nPairs; j++) {
          const g = groups[j]!;
          const v = x[rows[j]!]!;
          if (seen[g] === 0) {
            seen[g] = 1;
            best[g] = v;
          } else best[g] = pick(best[g]!, v);
        }
        for (let g = 0; g < nGroups; g++)
          out[g] = { seen: seen[g] === 1, value: best[g]! } satisfies ExtremumAcc;
        return out;
      }
      const sums: ExactSum[] = new Array(nGroups);
      const counts = new Float64Array(nGroups);
      for (let g = 0; g < nGroups; g++) sums[g] = createExactSum();
      for (let j = 0; j < nPairs; j++) {
        const g = groups[j]!;
        addToExactSum(sums[g]!, x[rows[j]!]!);
        counts[g]!++;
      }
      if (kind === "sum") return sums;
      for (let g = 0; g < nGroups; g++) out[g] = { sum: sums[g]!, count: counts[g]! } satisfies MeanAcc;
      return out;
    },
    create: () => lib.create(),
    merge: (a, b) => lib.merge(a, b),
    extract: (acc) => lib.extract(acc),
  };
}

/** Row-wise fallback: one singleton accumulator per row (`add(create(), row)`), merged per group. */
function rowWiseKernel(kind: string, lib: Aggregator): AggKernel {
  let singles: unknown[] = [];
  let rowsRef: readonly StreamRecord[] = [];
  return {
    vectorized: false,
    describe: `${kind} (row-wise)`,
    load(records, use, onError) {
      rowsRef = records;
      singles = new Array(records.length);
      for (let i = 0; i < records.length; i++) {
        if (use[i] === 0) continue;
        try {
          singles[i] = lib.add(lib.create(), records[i]!);
        } catch (e) {
          use[i] = 0;
          onError(i, e);
        }
      }
    },
    partials(nGroups, rows, groups, nPairs) {
      const out = new Array<unknown>(nGroups);
      for (let g = 0; g < nGroups; g++) out[g] = lib.create();
      for (let j = 0; j < nPairs; j++) {
        const g = groups[j]!;
        // A row may belong to several windows: merge a fresh singleton for every window after the
        // first use, since merge may keep references into its second argument.
        const r = rows[j]!;
        const single = singles[r];
        singles[r] = undefined;
        out[g] = lib.merge(out[g], single === undefined ? lib.add(lib.create(), rowsRef[r]!) : single);
      }
      return out;
    },
    create: () => lib.create(),
    merge: (a, b) => lib.merge(a, b),
    extract: (acc) => lib.extract(acc),
  };
}

function fieldsKernel(names: readonly string[], parts: readonly AggKernel[]): AggKernel {
  const n = parts.length;
  return {
    vectorized: parts.every((p) => p.vectorized),
    loadChunk(chunk, use, onError) {
      for (const p of parts) if (p.loadChunk === undefined || !p.loadChunk(chunk, use, onError)) return false;
      return true;
    },
    describe: `fields(${names.map((f, i) => `${f}: ${parts[i]!.describe}`).join(", ")})`,
    load(records, use, onError) {
      for (const p of parts) p.load(records, use, onError);
    },
    partials(nGroups, rows, groups, nPairs) {
      const per = parts.map((p) => p.partials(nGroups, rows, groups, nPairs));
      const out = new Array<unknown>(nGroups);
      for (let g = 0; g < nGroups; g++) out[g] = per.map((accs) => accs[g]);
      return out;
    },
    create: () => parts.map((p) => p.create()),
    merge(a, b) {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < n; i++) x[i] = parts[i]!.merge(x[i], y[i]);
      return x;
    },
    extract(acc) {
      const out: Record<string, unknown> = {};
      const x = acc as unknown[];
      for (let i = 0; i < n; i++) out[names[i]!] = parts[i]!.extract(x[i]);
      return out;
    },
  };
}

export type { ExactSum };
export { mergeExactSums };

/**
 * Vectorized lambdas over columnar chunks: the user functions of timestamps, keyBy, filter, map
 * and aggregation inputs, translated to expression trees by `@tributary/codegen` and evaluated as
 * column loops. A plain field read of a stored column (`(e) => e.ts`) uses the column itself.
 *
 * A lambda that does not translate runs row-wise over the chunk's rows (built on demand), and so
 * does a chunk on which the compiled loop throws for some row (the original function then runs
 * on every row, so the error and everything after it is exactly the row-wise result).
 */
import { readFile, writeFile } from "node:fs/promises";
import type { CompiledColumns, compileColumns, Expr, NodeVectorization } from "@tributary/codegen";
import { canonicalKey, type OperatorCounters, type StreamRecord } from "@tributary/operators";
import { type BuiltPipeline, collectFnRefs, type IrNode } from "@tributary/sdk";
import { arrowSchemaOf, type Chunk, type Column, dictEncode, type KeyColumn } from "./batch.ts";

/** An expression evaluated over chunks. */
type Compile = typeof compileColumns;

/** True when the expression is a plain read of the parameter or one of its fields. */
const isField = (expr: Expr) => (expr.kind === "field" && expr.param === 0) || expr.kind === "param";

export class ColumnFn {
  readonly #compiled: CompiledColumns | null = null;
  readonly field: readonly string[] | null;

  constructor(
    readonly expr: Expr,
    compile: Compile | null,
    predicate = false,
  ) {
    this.field = expr.kind === "field" && expr.param === 0 ? expr.path : expr.kind === "param" ? [] : null;
    if (this.field === null || predicate) {
      if (compile === null) throw new Error("the column compiler is not loaded");
      this.#compiled = compile(expr, { predicate });
    }
  }

  /** The column of the expression's values, or null when the loop threw for some row. */
  eval(chunk: Chunk): Column | null {
    if (this.#compiled === null) {
      const path = this.field!;
      const stored = chunk.stored(path);
      if (stored !== undefined) return stored;
      chunk.column(path);
      return chunk.stored(path) ?? null;
    }
    const r = this.#compiled(chunk);
    if (r.errors.length > 0) return null;
    const c = r.column;
    if (c.type === "number") return { kind: "f64", values: c.values, nulls: null };
    if (c.type === "boolean") return { kind: "bool", values: c.values, nulls: null };
    return { kind: "any", values: c.values, nulls: null };
  }
}

/** Per node: how it runs on chunks (or why it does not). */
export interface NodePlan {
  readonly status: "vectorized" | "row-wise";
  readonly reason?: string;
  /** timestamps, keyBy, filter: the function; map: see `entries`. */
  readonly fn?: ColumnFn;
  /** map to an object literal: one column per key, in order; `whole`: a non-object value. */
  readonly entries?: readonly { readonly key: string; readonly fn: ColumnFn }[];
  readonly whole?: ColumnFn;
  /** windowAggregate: input column functions by function id. */
  readonly inputs?: ReadonlyMap<string, ColumnFn>;
}

const VECTOR_AGGS = new Set(["count", "sum", "min", "max", "mean"]);

/**
 * Plans every node of a pipeline, translating its lambdas once. With `cacheFile` (in the
 * checkpoint directory) the translations are kept for restarts of the same pipeline, which then
 * load the translator (TypeScript) only if some expression needs the column compiler.
 */
export async function planNodes(built: BuiltPipeline, cacheFile?: string): Promise<Map<string, NodePlan>> {
  const key = JSON.stringify(collectSources(built));
  let vectorization: NodeVectorization[] | null = null;
  if (cacheFile !== undefined) {
    try {
      const cached = JSON.parse(await readFile(cacheFile, "utf8")) as {
        key: string;
        vectorization: NodeVectorization[];
      };
      if (cached.key === key) vectorization = cached.vectorization;
    } catch {
      vectorization = null;
    }
  }
  let codegen: typeof import("@tributary/codegen") | null = null;
  vectorization ??= fieldReadsOnly(built);
  if (vectorization === null) {
    codegen = await import("@tributary/codegen");
    vectorization = codegen.describeVectorization(built.ir);
    if (cacheFile !== undefined) await writeFile(cacheFile, JSON.stringify({ key, vectorization }));
  }
  const needsCompiler = vectorization.some((d) =>
    d.fns.some((f) => f.expr !== undefined && (!isField(f.expr) || d.kind === "filter" || d.kind === "map")),
  );
  if (needsCompiler && codegen === null) codegen = await import("@tributary/codegen");
  const compile = codegen?.compileColumns ?? null;
  const described = new Map<string, NodeVectorization>();
  for (const d of vectorization) described.set(d.nodeId, d);
  const plans = new Map<string, NodePlan>();
  for (const node of built.ir.nodes) {
    const plan = planNode(node, described.get(node.id), compile);
    if (plan !== null) plans.set(node.id, plan);
  }
  return plans;
}

const FIELD_READ = /^\(?\s*([A-Za-z_$][\w$]*)\s*\)?\s*=>\s*\1((?:\s*\.\s*[A-Za-z_$][\w$]*)+)\s*;?\s*$/;

/**
 * When every lambda of the pipeline is a plain field read (`(e) => e.a.b`), their translations
 * without loading the translator (TypeScript): what `translateLambda` gives for that shape.
 */
function fieldReadsOnly(built: BuiltPipeline): NodeVectorization[] | null {
  const byNode = new Map<number, NodeVectorization["fns"]>();
  for (const { path, ref } of collectFnRefs(built.ir)) {
    if (path.at(-1) === "validator") continue;
    const m = FIELD_READ.exec(ref.source);
    if (m === null) return null;
    const fields = m[2]!
      .split(".")
      .map((f) => f.trim())
      .filter((f) => f !== "");
    if (fields.includes("length")) return null;
    const index = path[1] as number;
    const fns = byNode.get(index) ?? [];
    fns.push({
      fnId: ref.id,
      role: String(path.at(-1)),
      status: "vectorized",
      params: [m[1]!],
      expr: { kind: "field", param: 0, path: fields },
    });
    byNode.set(index, fns);
  }
  return [...byNode].map(([index, fns]) => {
    const node = built.ir.nodes[index]!;
    return { nodeId: node.id, kind: node.kind, status: "vectorized", fns };
  });
}

/** Every function's id and source text (what the translations depend on). */
function collectSources(built: BuiltPipeline): string[] {
  const out: string[] = [];
  JSON.stringify(built.ir, (_k, v: unknown) => {
    if (v !== null && typeof v === "object" && "id" in v && "source" in v) {
      const ref = v as { id: string; source: string };
      out.push(`${ref.id}\u0000${ref.source}`);
    }
    return v;
  });
  return out;
}

function planNode(node: IrNode, d: NodeVectorization | undefined, compile: Compile | null): NodePlan | null {
  const rowWise = (reason: string): NodePlan => ({ status: "row-wise", reason });
  switch (node.kind) {
    case "timestamps":
    case "keyBy":
    case "filter":
    case "map": {
      if (d === undefined) return rowWise("no lambda found");
      if (d.status === "row-wise") return rowWise(d.reason ?? "not translatable");
      const expr = d.fns[0]!.expr!;
      try {
        if (node.kind !== "map")
          return { status: "vectorized", fn: new ColumnFn(expr, compile, node.kind === "filter") };
        if (expr.kind === "object") {
          const keys = new Set<string>();
          const entries: { key: string; fn: ColumnFn }[] = [];
          for (const e of expr.entries) {
            if ("spread" in e) return rowWise("fn: an object spread (columns of the result are not known)");
            if (keys.has(e.key) || e.key === "__proto__")
              return rowWise(`fn: the object literal repeats or redefines the key ${JSON.stringify(e.key)}`);
            keys.add(e.key);
            entries.push({ key: e.key, fn: new ColumnFn(e.value, compile) });
          }
          return { status: "vectorized", entries };
        }
        return { status: "vectorized", whole: new ColumnFn(expr, compile) };
      } catch (e) {
        return rowWise(`the column compiler rejected the expression (${(e as Error).message})`);
      }
    }
    case "flatMap":
      return rowWise("flatMap: a variable number of outputs per element (runs row-wise over the batch)");
    case "windowAggregate": {
      const a = node.params.aggregate;
      const specs = a.shape === "single" ? [["", a.aggregation] as const] : Object.entries(a.fields);
      for (const [name, spec] of specs)
        if (!VECTOR_AGGS.has(spec.kind))
          return rowWise(`${name ? `${name}: ` : ""}the ${spec.kind} aggregation has no column kernel`);
      if (d !== undefined && d.status === "row-wise") return rowWise(d.reason ?? "not translatable");
      const inputs = new Map<string, ColumnFn>();
      try {
        for (const f of d?.fns ?? [])
          if (f.expr !== undefined) inputs.set(f.fnId, new ColumnFn(f.expr, compile));
      } catch (e) {
        return rowWise(`the column compiler rejected an input (${(e as Error).message})`);
      }
      return { status: "vectorized", inputs };
    }
    default:
      return null;
  }
}

// ---- keyBy --------------------------------------------------------------------------------------

const dictionaryKeys = new WeakMap<readonly string[], string[]>();

/**
 * Dense key ids from a key column: a dictionary column's indices are the ids (its entries are
 * encoded once per dictionary); other columns are interned by canonical encoding. Rows whose key
 * is undefined or not JSON are reported to `bad` and get id -1.
 */
export function keyColumn(c: Column, n: number, bad: (row: number, problem: string) => void): KeyColumn {
  if (c.kind === "dict" && c.nulls === null) {
    let enc = dictionaryKeys.get(c.dictionary);
    if (enc === undefined) {
      enc = c.dictionary.map((s) => canonicalKey(s));
      dictionaryKeys.set(c.dictionary, enc);
    }
    return { ids: c.indices, keys: c.dictionary, enc };
  }
  if (c.kind === "any" && c.nulls === null && c.values.every((v) => typeof v === "string"))
    return keyColumn(dictEncode(c.values as string[], null, n), n, bad);
  const ids = new Int32Array(n);
  const byPrimitive = new Map<unknown, number>();
  const byEnc = new Map<string, number>();
  const keys: unknown[] = [];
  const enc: string[] = [];
  for (let i = 0; i < n; i++) {
    const code = c.nulls === null ? 0 : c.nulls[i]!;
    const v =
      code !== 0
        ? code === 1
          ? null
          : undefined
        : c.kind === "f64"
          ? c.values[i]
          : c.kind === "bool"
            ? c.values[i] === 1
            : c.kind === "dict"
              ? c.dictionary[c.indices[i]!]
              : c.values[i];
    if (v === undefined) {
      ids[i] = -1;
      bad(i, "returned undefined");
      continue;
    }
    const primitive = v === null || typeof v !== "object";
    let id = primitive ? byPrimitive.get(v) : undefined;
    if (id === undefined) {
      let e: string;
      try {
        e = canonicalKey(v);
      } catch (err) {
        ids[i] = -1;
        bad(i, `returned a key that is not JSON (${err instanceof Error ? err.message : String(err)})`);
        continue;
      }
      id = byEnc.get(e);
      if (id === undefined) {
        id = keys.length;
        byEnc.set(e, id);
        keys.push(v);
        enc.push(e);
      }
      if (primitive) byPrimitive.set(v, id);
    }
    ids[i] = id;
  }
  return { ids, keys, enc };
}

// ---- filter / map ---------------------------------------------------------------------------------

/** Rows with a truthy predicate (or null when the loop threw). */
export function filterChunk(fn: ColumnFn, chunk: Chunk, c: OperatorCounters): Chunk | null {
  const col = fn.eval(chunk);
  if (col === null || col.kind !== "bool") return null;
  const n = chunk.length;
  const keep = col.values;
  const idx = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) if (keep[i] === 1) idx[m++] = i;
  c.in += n;
  c.out += m;
  c.filtered += n - m;
  return chunk.select(idx, m);
}

/** The mapped chunk (or null when a loop threw). */
export function mapChunk(plan: NodePlan, chunk: Chunk, c: OperatorCounters): Chunk | null {
  let out: Chunk;
  if (plan.whole !== undefined) {
    const col = plan.whole.eval(chunk);
    if (col === null) return null;
    out = chunk.withValues([[[], col]], "whole");
  } else {
    const cols: [string[], Column][] = [];
    for (const e of plan.entries!) {
      const col = e.fn.eval(chunk);
      if (col === null) return null;
      cols.push([[e.key], col]);
    }
    out = chunk.withValues(cols, { names: plan.entries!.map((e) => e.key), keepUndefined: true });
  }
  c.in += chunk.length;
  c.out += chunk.length;
  return out;
}

/**
 * keyBy: the chunk with dense key ids, or null when the loop threw. Rows with a bad key
 * (undefined, not JSON) go to `rowWise`, which runs the library operator on them (it
 * dead-letters them with its own message and counts them).
 */
export function keyByChunk(
  fn: ColumnFn,
  chunk: Chunk,
  c: OperatorCounters,
  rowWise: (rows: StreamRecord[]) => void,
): Chunk | null {
  const col = fn.eval(chunk);
  if (col === null) return null;
  const n = chunk.length;
  const bad: StreamRecord[] = [];
  const key = keyColumn(col, n, (row) => bad.push(chunk.record(row)));
  c.in += n - bad.length;
  c.out += n - bad.length;
  if (bad.length > 0) rowWise(bad);
  const keyed = chunk.derive(chunk.ts, chunk.w, key);
  if (bad.length === 0) return keyed;
  const idx = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) if (key.ids[i] !== -1) idx[m++] = i;
  return keyed.select(idx, m);
}

/**
 * For `tributary explain`: per node with lambdas (and per source), `vectorized` or
 * `row-wise: <reason>` as the micro-batch runner will run it, plus the record schema's columns
 * that fall back to JSON.
 */
export async function explainMicroBatch(built: BuiltPipeline): Promise<Record<string, string>> {
  const plans = await planNodes(built);
  const out: Record<string, string> = {};
  for (const node of built.ir.nodes) {
    if (node.kind === "source") {
      const { fallbacks } = arrowSchemaOf(node.params.recordSchema);
      out[node.id] =
        `columns from the record schema${fallbacks.length === 0 ? "" : `; JSON columns: ${fallbacks.map((f) => `${f.field} (${f.reason})`).join(", ")}`}`;
      continue;
    }
    const plan = plans.get(node.id);
    if (plan !== undefined)
      out[node.id] = plan.status === "vectorized" ? "vectorized" : `row-wise: ${plan.reason}`;
  }
  return out;
}

/**
 * Columnar micro-batches. A {@link Chunk} holds the rows of one source in one batch (or what a
 * vectorized node made of them) as columns: Arrow buffers (Float64 for numbers, dictionary
 * encoded Utf8 for strings, Bool), plus the per-row identity (partition, offset), and once the
 * timestamps / keyBy nodes ran, `ts`, `w` and dense key ids. Row objects are built only when a
 * node needs them (a row-wise node, a sink, a dead letter, a late element): {@link Chunk.values}.
 *
 * Columns come from the source's record schema (JSON Schema): numbers and integers → Float64,
 * strings → Utf8 (dictionary), booleans → Bool, anything nested or unsupported → a JSON column
 * (see {@link arrowSchemaOf}). Sources with a columnar read (the generator) fill the typed arrays
 * directly; other sources' decoded values are read into columns per field path on demand.
 */
import { createRequire } from "node:module";
import type { ColumnBatch, InputColumn } from "@tributary/codegen";
import type { ColumnarField, ColumnarItems } from "@tributary/connectors";
import type { StreamRecord } from "@tributary/operators";
import type { JsonSchema } from "@tributary/sdk";
import type { Data, DataType, Field, RecordBatch, Schema, Utf8, Vector } from "apache-arrow";

/** codegen's `NullCode`s (kept here so that running a job does not load the translator). */
const NullCode = { null: 1, undefined: 2, unreachable: 3 } as const;

type Arrow = typeof import("apache-arrow");
let arrowModule: Arrow | null = null;
/** Apache Arrow, loaded on first use (exports and explain), not at job start. */
function arrow(): Arrow {
  arrowModule ??= createRequire(import.meta.url)("apache-arrow") as Arrow;
  return arrowModule;
}

/** A column of a chunk. `nulls` uses codegen's {@link NullCode}s (null / undefined / unreachable). */
export type Column =
  | { readonly kind: "f64"; readonly values: Float64Array; readonly nulls: Uint8Array | null }
  | {
      readonly kind: "dict";
      readonly indices: Int32Array;
      readonly dictionary: readonly string[];
      readonly nulls: Uint8Array | null;
    }
  | { readonly kind: "bool"; readonly values: Uint8Array; readonly nulls: Uint8Array | null }
  /** JS values (a JSON column when exported to Arrow). */
  | { readonly kind: "any"; readonly values: readonly unknown[]; readonly nulls: Uint8Array | null };

/** Dense key ids of the rows and, per id, the key and its canonical encoding. */
export interface KeyColumn {
  readonly ids: Int32Array;
  readonly keys: readonly unknown[];
  readonly enc: readonly string[];
}

const pathKey = (path: readonly string[]) => path.join("\u0000");

export class Chunk implements ColumnBatch {
  /** Row objects, built on demand from `build` (or given by the source). */
  #values: unknown[] | null;
  #cols = new Map<string, Column>();
  #inputs = new Map<string, InputColumn>();

  constructor(
    readonly length: number,
    readonly source: string,
    /** Source partition and offset of each row (its identity). */
    readonly part: Int32Array,
    readonly off: Float64Array,
    values: unknown[] | null,
    /** How row values are built from the columns (when `values` is not given). */
    readonly shape: Shape | null,
    cols: Iterable<[readonly string[], Column]> = [],
    public ts: Float64Array | null = null,
    public w: Float64Array | null = null,
    public key: KeyColumn | null = null,
  ) {
    this.#values = values;
    for (const [p, c] of cols) this.#cols.set(pathKey(p), c);
    this.build = shape === null ? null : builderOf(shape, this.#cols);
  }

  /** Builds the value of row `i` from the columns. */
  readonly build: ((i: number) => unknown) | null;

  /** A chunk from a source's columnar read (identity: partition `p`, offsets from `firstOffset`). */
  static fromColumnar(source: string, partition: number, items: ColumnarItems): Chunk {
    const n = items.length;
    const part = new Int32Array(n).fill(partition);
    const off = new Float64Array(n);
    for (let i = 0; i < n; i++) off[i] = items.firstOffset + i;
    const names = Object.keys(items.columns);
    const cols = names.map((name) => [[name], fromField(items.columns[name]!)] as [string[], Column]);
    return new Chunk(n, source, part, off, null, { names, keepUndefined: false }, cols);
  }

  /** Concatenates chunks of one source (partitions of a batch), in order. */
  static concat(source: string, chunks: readonly Chunk[]): Chunk {
    if (chunks.length === 1) return chunks[0]!;
    let n = 0;
    for (const c of chunks) n += c.length;
    const part = new Int32Array(n);
    const off = new Float64Array(n);
    let at = 0;
    for (const c of chunks) {
      part.set(c.part, at);
      off.set(c.off, at);
      at += c.length;
    }
    // Columns concatenate when every chunk has the same columnar layout; otherwise rows.
    const first = chunks[0]!;
    const layout = [...first.#cols.keys()];
    const same = chunks.every(
      (c) =>
        c.#values === null &&
        c.#cols.size === layout.length &&
        layout.every((k) => {
          const a = first.#cols.get(k)!;
          const b = c.#cols.get(k);
          return (
            b !== undefined &&
            b.kind === a.kind &&
            (a.kind !== "dict" || (b as typeof a).dictionary === a.dictionary)
          );
        }),
    );
    if (same && first.#values === null && first.shape !== null) {
      const cols: [string[], Column][] = layout.map((k) => [
        k === "" ? [] : k.split("\u0000"),
        concatColumns(
          chunks.map((c) => c.#cols.get(k)!),
          n,
        ),
      ]);
      return new Chunk(n, source, part, off, null, first.shape, cols);
    }
    const values: unknown[] = [];
    for (const c of chunks) for (const v of c.values()) values.push(v);
    return new Chunk(n, source, part, off, values, null);
  }

  /** The row objects (built once). */
  values(): unknown[] {
    if (this.#values === null) {
      const n = this.length;
      const build = this.build!;
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = build(i);
      this.#values = out;
    }
    return this.#values;
  }

  value(i: number): unknown {
    return this.#values !== null ? this.#values[i] : this.build!(i);
  }

  /** The stream record of row `i` (identity, timestamp, watermark and key as far as known). */
  record(i: number): StreamRecord {
    const k = this.key;
    const r: StreamRecord = {
      value: this.value(i),
      ts: this.ts === null ? 0 : this.ts[i]!,
      w: this.w === null ? Number.NEGATIVE_INFINITY : this.w[i]!,
      id: [this.source, this.part[i]!, this.off[i]!],
      ...(k === null ? {} : { key: k.keys[k.ids[i]!], keyEnc: k.enc[k.ids[i]!]! }),
    };
    return r;
  }

  records(): StreamRecord[] {
    const out = new Array<StreamRecord>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.record(i);
    return out;
  }

  /** The column at a field path, if the chunk holds it as a column (no extraction). */
  stored(path: readonly string[]): Column | undefined {
    return this.#cols.get(pathKey(path));
  }

  /** Codegen's view: the values at a field path (typed arrays for numbers). */
  column(path: readonly string[]): InputColumn {
    const k = pathKey(path);
    let input = this.#inputs.get(k);
    if (input === undefined) {
      const col = this.#cols.get(k) ?? this.#extract(path);
      input = toInput(col);
      this.#inputs.set(k, input);
    }
    return input;
  }

  /** Reads a field path of the row objects (or of a stored ancestor column) into a column. */
  #extract(path: readonly string[]): Column {
    const n = this.length;
    let base: readonly unknown[] | null = null;
    let baseNulls: Uint8Array | null = null;
    let rest = path;
    for (let d = path.length - 1; d >= 1; d--) {
      const c = this.#cols.get(pathKey(path.slice(0, d)));
      if (c !== undefined && c.kind === "any") {
        base = c.values;
        baseNulls = c.nulls;
        rest = path.slice(d);
        break;
      }
    }
    if (base === null) base = this.values();
    const values = new Array<unknown>(n);
    let nulls: Uint8Array | null = null;
    let numbers = true;
    let strings = true;
    for (let i = 0; i < n; i++) {
      let v: unknown = base[i];
      let code: number = baseNulls === null ? 0 : baseNulls[i]!;
      if (code !== 0) code = NullCode.unreachable;
      else
        for (const key of rest) {
          if (v === null || v === undefined) {
            code = NullCode.unreachable;
            break;
          }
          v = (v as Record<string, unknown>)[key];
        }
      if (code === 0 && v === null) code = NullCode.null;
      else if (code === 0 && v === undefined) code = NullCode.undefined;
      if (code !== 0) {
        nulls ??= new Uint8Array(n);
        nulls[i] = code;
        continue;
      }
      values[i] = v;
      if (typeof v !== "number") numbers = false;
      if (typeof v !== "string") strings = false;
    }
    let col: Column;
    if (numbers) {
      const f = new Float64Array(n);
      for (let i = 0; i < n; i++) if (nulls === null || nulls[i] === 0) f[i] = values[i] as number;
      col = { kind: "f64", values: f, nulls };
    } else if (strings) col = dictEncode(values as string[], nulls, n);
    else col = { kind: "any", values, nulls };
    this.#cols.set(pathKey(path), col);
    return col;
  }

  /** The rows `idx[0..m)` (ascending) as a new chunk. */
  select(idx: Int32Array, m: number): Chunk {
    if (m === this.length) return this;
    const pick = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
      const out = new (a.constructor as new (n: number) => T)(m);
      for (let j = 0; j < m; j++) out[j] = a[idx[j]!]!;
      return out;
    };
    const cols: [string[], Column][] = [];
    for (const [k, c] of this.#cols)
      cols.push([k === "" ? [] : k.split("\u0000"), selectColumn(c, idx, m, pick)]);
    let values: unknown[] | null = null;
    if (this.#values !== null) {
      values = new Array(m);
      for (let j = 0; j < m; j++) values[j] = this.#values[idx[j]!];
    }
    const key = this.key === null ? null : { ...this.key, ids: pick(this.key.ids) };
    return new Chunk(
      m,
      this.source,
      pick(this.part),
      pick(this.off),
      values,
      values === null ? this.shape : null,
      cols,
      this.ts === null ? null : pick(this.ts),
      this.w === null ? null : pick(this.w),
      key,
    );
  }

  /** The same rows with other timestamps, watermarks or keys (chunks may be shared by consumers). */
  derive(ts: Float64Array | null, w: Float64Array | null, key: KeyColumn | null): Chunk {
    return new Chunk(
      this.length,
      this.source,
      this.part,
      this.off,
      this.#values,
      this.#values === null ? this.shape : null,
      [...this.#cols].map(([k, c]) => [k === "" ? [] : k.split("\u0000"), c] as [string[], Column]),
      ts,
      w,
      key,
    );
  }

  /** A chunk with the same rows whose values are new columns (a vectorized map). */
  withValues(cols: [string[], Column][], shape: Shape): Chunk {
    return new Chunk(
      this.length,
      this.source,
      this.part,
      this.off,
      null,
      shape,
      cols,
      this.ts,
      this.w,
      this.key,
    );
  }

  /** The chunk's stored columns as an Arrow record batch (JSON columns as Utf8 JSON text). */
  toArrow(): RecordBatch {
    const { Field, Schema, Struct, makeData, RecordBatch } = arrow();
    const fields: Field[] = [];
    const children: Data[] = [];
    for (const [k, c] of this.#cols) {
      if (k.includes("\u0000") || k === "") continue;
      const data = arrowData(c, this.length);
      fields.push(new Field(k, data.type, c.nulls !== null));
      children.push(data);
    }
    const schema = new Schema(fields);
    const struct = makeData({ type: new Struct(fields), length: this.length, nullCount: 0, children });
    return new RecordBatch(schema, struct);
  }
}

function fromField(f: ColumnarField): Column {
  if (f.type === "float64") return { kind: "f64", values: f.values, nulls: null };
  if (f.type === "bool") return { kind: "bool", values: f.values, nulls: null };
  return { kind: "dict", indices: f.indices, dictionary: f.dictionary, nulls: null };
}

/** The value of row `i` of a column, as a row-wise function would see it (null / undefined kept apart). */
export function cell(c: Column, i: number): unknown {
  if (c.nulls !== null && c.nulls[i] !== 0) return c.nulls[i] === NullCode.null ? null : undefined;
  switch (c.kind) {
    case "f64":
      return c.values[i];
    case "dict":
      return c.dictionary[c.indices[i]!];
    case "bool":
      return c.values[i] === 1;
    case "any":
      return c.values[i];
  }
}

/**
 * How row values are made from columns: an object `{ [names[j]]: column [names[j]] }` (an
 * undefined field is left out unless `keepUndefined`, as a map's object literal keeps it), or
 * the value of the column at path `[]`.
 */
export type Shape = { readonly names: readonly string[]; readonly keepUndefined: boolean } | "whole";

function builderOf(shape: Shape, cols: Map<string, Column>): (i: number) => unknown {
  if (shape === "whole") {
    const whole = cols.get("")!;
    return (i) => cell(whole, i);
  }
  const names = shape.names;
  const byName = names.map((name) => cols.get(name)!);
  const m = names.length;
  const keep = shape.keepUndefined;
  return (i) => {
    const o: Record<string, unknown> = {};
    for (let j = 0; j < m; j++) {
      const v = cell(byName[j]!, i);
      if (v !== undefined || keep) o[names[j]!] = v;
    }
    return o;
  };
}

function selectColumn(
  c: Column,
  idx: Int32Array,
  m: number,
  pick: <T extends Float64Array | Int32Array | Uint8Array>(a: T) => T,
): Column {
  const nulls = c.nulls === null ? null : pick(c.nulls);
  switch (c.kind) {
    case "f64":
      return { kind: "f64", values: pick(c.values), nulls };
    case "bool":
      return { kind: "bool", values: pick(c.values), nulls };
    case "dict":
      return { kind: "dict", indices: pick(c.indices), dictionary: c.dictionary, nulls };
    case "any": {
      const values = new Array<unknown>(m);
      for (let j = 0; j < m; j++) values[j] = c.values[idx[j]!];
      return { kind: "any", values, nulls };
    }
  }
}

function concatColumns(cs: readonly Column[], n: number): Column {
  const cat = <T extends Float64Array | Int32Array | Uint8Array>(arrays: T[]): T => {
    const out = new (arrays[0]!.constructor as new (n: number) => T)(n);
    let at = 0;
    for (const a of arrays) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  };
  const first = cs[0]!;
  const nulls = cs.some((c) => c.nulls !== null)
    ? cat(cs.map((c) => c.nulls ?? new Uint8Array(lengthOf(c))))
    : null;
  switch (first.kind) {
    case "f64":
      return { kind: "f64", values: cat(cs.map((c) => (c as typeof first).values)), nulls };
    case "bool":
      return { kind: "bool", values: cat(cs.map((c) => (c as typeof first).values)), nulls };
    case "dict":
      return {
        kind: "dict",
        indices: cat(cs.map((c) => (c as typeof first).indices)),
        dictionary: first.dictionary,
        nulls,
      };
    case "any":
      return { kind: "any", values: cs.flatMap((c) => [...(c as typeof first).values]), nulls };
  }
}

function lengthOf(c: Column): number {
  return c.kind === "dict" ? c.indices.length : c.values.length;
}

/** Dictionary encoding of strings (first-appearance order). */
export function dictEncode(values: readonly string[], nulls: Uint8Array | null, n: number): Column {
  const indices = new Int32Array(n);
  const ids = new Map<string, number>();
  const dictionary: string[] = [];
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] !== 0) continue;
    const s = values[i]!;
    let id = ids.get(s);
    if (id === undefined) {
      id = dictionary.length;
      ids.set(s, id);
      dictionary.push(s);
    }
    indices[i] = id;
  }
  return { kind: "dict", indices, dictionary, nulls };
}

const decoded = new WeakMap<Column, InputColumn>();

function toInput(c: Column): InputColumn {
  let input = decoded.get(c);
  if (input !== undefined) return input;
  switch (c.kind) {
    case "f64":
    case "any":
      input = { values: c.values, nulls: c.nulls };
      break;
    case "dict": {
      const n = c.indices.length;
      const values = new Array<string>(n);
      for (let i = 0; i < n; i++) values[i] = c.dictionary[c.indices[i]!]!;
      input = { values, nulls: c.nulls };
      break;
    }
    case "bool": {
      const n = c.values.length;
      const values = new Array<boolean>(n);
      for (let i = 0; i < n; i++) values[i] = c.values[i] === 1;
      input = { values, nulls: c.nulls };
      break;
    }
  }
  decoded.set(c, input);
  return input;
}

// ---- Arrow ------------------------------------------------------------------------------------

const arrowDictionaries = new WeakMap<readonly string[], Vector<Utf8>>();

function validity(nulls: Uint8Array | null, n: number): Uint8Array | undefined {
  if (nulls === null) return undefined;
  const bits = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (nulls[i] === 0) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

/** Zero-copy Arrow data for a column (typed arrays are Arrow's buffers). */
export function arrowData(c: Column, n: number): Data {
  const { makeData, Float64, Bool, Dictionary, Utf8, Int32, vectorFromArray } = arrow();
  const nullBitmap = validity(c.nulls, n);
  const nullCount = c.nulls === null ? 0 : c.nulls.reduce((a, x) => a + (x === 0 ? 0 : 1), 0);
  switch (c.kind) {
    case "f64":
      return makeData({ type: new Float64(), length: n, nullCount, nullBitmap, data: c.values });
    case "bool": {
      const bits = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (c.values[i] === 1) bits[i >> 3]! |= 1 << (i & 7);
      return makeData({ type: new Bool(), length: n, nullCount, nullBitmap, data: bits });
    }
    case "dict": {
      let dictionary = arrowDictionaries.get(c.dictionary);
      if (dictionary === undefined) {
        dictionary = vectorFromArray([...c.dictionary], new Utf8()) as Vector<Utf8>;
        arrowDictionaries.set(c.dictionary, dictionary);
      }
      return makeData({
        type: new Dictionary(new Utf8(), new Int32()),
        length: n,
        nullCount,
        nullBitmap,
        data: c.indices,
        dictionary: dictionary as never,
      });
    }
    case "any": {
      const text = new Array<string | null>(n);
      for (let i = 0; i < n; i++)
        text[i] = c.nulls !== null && c.nulls[i] !== 0 ? null : (JSON.stringify(c.values[i]) ?? null);
      return vectorFromArray(text, new Utf8()).data[0]!;
    }
  }
}

export interface ArrowSchemaInfo {
  readonly schema: Schema;
  /** Column kind per top-level field. */
  readonly kinds: Readonly<Record<string, "f64" | "dict" | "bool" | "json">>;
  /** Fields stored as a JSON (Utf8) column, with the reason. */
  readonly fallbacks: readonly { readonly field: string; readonly reason: string }[];
}

/**
 * The Arrow schema of a source's records from its JSON Schema: number/integer → Float64, string
 * → Dictionary<Utf8>, boolean → Bool; objects, arrays, unions and untyped fields → JSON (Utf8).
 */
export function arrowSchemaOf(recordSchema: JsonSchema): ArrowSchemaInfo {
  const { Field, Schema, Float64, Bool, Dictionary, Utf8, Int32 } = arrow();
  const s = recordSchema as {
    type?: unknown;
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  const fields: Field[] = [];
  const kinds: Record<string, "f64" | "dict" | "bool" | "json"> = {};
  const fallbacks: { field: string; reason: string }[] = [];
  const required = new Set(s.required ?? []);
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    const t = prop["type"];
    let type: DataType;
    let kind: "f64" | "dict" | "bool" | "json";
    if (t === "number" || t === "integer") [type, kind] = [new Float64(), "f64"];
    else if (t === "string") [type, kind] = [new Dictionary(new Utf8(), new Int32()), "dict"];
    else if (t === "boolean") [type, kind] = [new Bool(), "bool"];
    else {
      [type, kind] = [new Utf8(), "json"];
      fallbacks.push({
        field: name,
        reason:
          t === "object" || t === "array"
            ? `nested ${t}`
            : t === undefined
              ? "no single JSON type (union, enum or untyped)"
              : `unsupported type ${JSON.stringify(t)}`,
      });
    }
    kinds[name] = kind;
    fields.push(new Field(name, type, !required.has(name)));
  }
  return { schema: new Schema(fields), kinds, fallbacks };
}

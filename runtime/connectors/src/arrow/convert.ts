/**
 * Conversions between Arrow and Tributary's plain JSON values.
 *
 * Reading (any Arrow file): each row becomes an object `{ column: value }`; nested structs become
 * objects, lists and fixed-size lists become arrays, maps become objects (keys as strings).
 * Integers become numbers (64-bit integers only when they are safe integers), floats must be
 * finite, dates and timestamps become their numeric value as Arrow JS reads it (milliseconds for
 * date and millisecond timestamps). Anything else (binary, decimal, unions, intervals, unsafe
 * 64-bit integers, NaN) makes the row undecodable.
 *
 * Writing (the Arrow file sink): the schema of a part file is inferred from the first values
 * written to it — see {@link inferSchema}. Files the sink writes carry metadata so that reading
 * them back gives exactly the values written:
 * - schema metadata `tributary.nulls = absent`: an Arrow null means "the field is absent";
 * - schema metadata `tributary.shape = value`: the file has a single column `value` and each row
 *   is that column's value (the values written were not all objects);
 * - field metadata `tributary.encoding = json`: the column holds JSON text (Utf8) to parse.
 */
import {
  Bool,
  DataType,
  Field,
  Float64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";

export const META_NULLS = "tributary.nulls";
export const META_SHAPE = "tributary.shape";
export const META_ENCODING = "tributary.encoding";

/** A value that cannot be represented as a JSON value. */
export class UndecodableValue extends Error {
  override name = "UndecodableValue";
}

/** A function turning one Arrow cell (as `Vector.get` returns it) into a JSON value. */
type Decoder = (cell: unknown) => unknown;

/** Builds the decoder for cells of `type`; `json` parses JSON text columns written by the sink. */
export function decoderFor(type: DataType, json = false): Decoder {
  if (json) {
    return (cell) => {
      if (cell === null || cell === undefined) return null;
      if (typeof cell !== "string") throw new UndecodableValue("a JSON column holds a non-string value");
      try {
        return JSON.parse(cell);
      } catch (e) {
        throw new UndecodableValue(`a JSON column holds invalid JSON (${(e as Error).message})`);
      }
    };
  }
  const nullable =
    (inner: Decoder): Decoder =>
    (cell) =>
      cell === null || cell === undefined ? null : inner(cell);
  if (DataType.isNull(type)) return () => null;
  if (DataType.isBool(type)) return nullable((c) => Boolean(c));
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isUtf8View(type))
    return nullable((c) => String(c));
  if (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDate(type) || DataType.isTimestamp(type))
    return nullable(numberOf);
  if (DataType.isDictionary(type)) return decoderFor(type.dictionary);
  if (DataType.isStruct(type)) {
    const fields = type.children.map((f) => ({ name: f.name, decode: decoderFor(f.type) }));
    return nullable((c) => {
      const row = c as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of fields) out[f.name] = f.decode(row[f.name]);
      return out;
    });
  }
  if (DataType.isList(type) || DataType.isFixedSizeList(type) || DataType.isLargeList(type)) {
    const child = type.children[0];
    const element = child ? decoderFor(child.type) : () => null;
    return nullable((c) => Array.from(c as Iterable<unknown>, element));
  }
  if (DataType.isMap(type)) {
    const entry = type.children[0]?.type as Struct | undefined;
    const value = entry?.children[1] ? decoderFor(entry.children[1].type) : () => null;
    return nullable((c) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of c as Iterable<[unknown, unknown]>) out[String(k)] = value(v);
      return out;
    });
  }
  return () => {
    throw new UndecodableValue(`the Arrow type ${String(type)} has no JSON equivalent`);
  };
}

function numberOf(cell: unknown): number {
  if (typeof cell === "number") {
    if (!Number.isFinite(cell)) throw new UndecodableValue(`${cell} is not a JSON number`);
    return cell;
  }
  if (typeof cell === "bigint") {
    const n = Number(cell);
    if (!Number.isSafeInteger(n) || BigInt(n) !== cell)
      throw new UndecodableValue(`the 64-bit integer ${cell} is not a safe integer`);
    return n;
  }
  if (cell instanceof Date) return cell.getTime();
  throw new UndecodableValue(`${String(cell)} is not a number`);
}

/** Decodes the rows of record batches with one schema. */
export class RowDecoder {
  private readonly columns: { name: string; decode: Decoder }[];
  private readonly absentNulls: boolean;
  private readonly valueShape: boolean;

  constructor(schema: Schema) {
    this.columns = schema.fields.map((f) => ({
      name: f.name,
      decode: decoderFor(f.type, f.metadata.get(META_ENCODING) === "json"),
    }));
    this.absentNulls = schema.metadata.get(META_NULLS) === "absent";
    this.valueShape = schema.metadata.get(META_SHAPE) === "value" && this.columns.length === 1;
  }

  /**
   * Row `row` of `batch` as a JSON value.
   * @throws UndecodableValue naming the column.
   */
  decode(batch: RecordBatch, row: number): unknown {
    if (this.valueShape) {
      const cell = batch.getChildAt(0)?.get(row);
      return this.at(0, cell);
    }
    const out: Record<string, unknown> = {};
    for (let c = 0; c < this.columns.length; c++) {
      const cell = batch.getChildAt(c)?.get(row);
      if (this.absentNulls && (cell === null || cell === undefined)) continue;
      out[this.columns[c]!.name] = this.at(c, cell);
    }
    return out;
  }

  /** A best-effort text of the raw row, for dead letters. */
  raw(batch: RecordBatch, row: number): string {
    const parts: string[] = [];
    for (let c = 0; c < this.columns.length; c++) {
      let text: string;
      try {
        text = String(batch.getChildAt(c)?.get(row));
      } catch {
        text = "?";
      }
      parts.push(`${this.columns[c]!.name}=${text}`);
    }
    return parts.join(", ");
  }

  private at(c: number, cell: unknown): unknown {
    const column = this.columns[c]!;
    try {
      return column.decode(cell);
    } catch (e) {
      if (e instanceof UndecodableValue) throw new UndecodableValue(`column ${column.name}: ${e.message}`);
      throw e;
    }
  }
}

// ---- writing ---------------------------------------------------------------------------------

/** How a column of the sink's files is encoded. */
export type ColumnKind = "float64" | "utf8" | "bool" | "json";

export interface SinkColumn {
  readonly name: string;
  readonly kind: ColumnKind;
}

/** The inferred layout of a part file: one column per object field, or one JSON `value` column. */
export interface SinkLayout {
  readonly shape: "object" | "value";
  readonly columns: readonly SinkColumn[];
  readonly schema: Schema;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): ColumnKind {
  if (typeof v === "number") return Number.isFinite(v) ? "float64" : "json";
  if (typeof v === "string") return "utf8";
  if (typeof v === "boolean") return "bool";
  return "json";
}

/**
 * Infers a layout from `values` (the first values written to a part file):
 * - when every value is an object: one column per field, in order of first appearance; a field
 *   whose present values are all numbers is Float64, all strings Utf8, all booleans Bool, and any
 *   other mix (nulls, arrays, objects, mixed types) a JSON text column. Absent fields are nulls.
 * - otherwise: a single JSON text column named `value`.
 */
export function inferLayout(values: readonly unknown[]): SinkLayout {
  if (values.length > 0 && values.every(isPlainObject)) {
    const kinds = new Map<string, ColumnKind>();
    for (const v of values) {
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined) continue;
        const kind = kindOf(x);
        const seen = kinds.get(k);
        kinds.set(k, seen === undefined || seen === kind ? kind : "json");
      }
    }
    const columns = [...kinds].map(([name, kind]) => ({ name, kind }));
    return { shape: "object", columns, schema: schemaOf(columns, "object") };
  }
  const columns: SinkColumn[] = [{ name: "value", kind: "json" }];
  return { shape: "value", columns, schema: schemaOf(columns, "value") };
}

function arrowType(kind: ColumnKind): DataType {
  return kind === "float64" ? new Float64() : kind === "bool" ? new Bool() : new Utf8();
}

function schemaOf(columns: readonly SinkColumn[], shape: "object" | "value"): Schema {
  const fields = columns.map(
    (c) =>
      new Field(
        c.name,
        arrowType(c.kind),
        true,
        c.kind === "json" ? new Map([[META_ENCODING, "json"]]) : new Map(),
      ),
  );
  const meta = new Map([[META_NULLS, "absent"]]);
  if (shape === "value") meta.set(META_SHAPE, "value");
  return new Schema(fields, meta);
}

/** True when `value` can be written to a file of this layout without loss. */
export function fits(layout: SinkLayout, value: unknown): boolean {
  if (layout.shape === "value") return true;
  if (!isPlainObject(value)) return false;
  let known = 0;
  for (const c of layout.columns) {
    const x = value[c.name];
    if (x === undefined) continue;
    known++;
    if (c.kind !== "json" && kindOf(x) !== c.kind) return false;
  }
  let present = 0;
  for (const k in value) if (value[k] !== undefined) present++;
  return present === known;
}

/** One record batch of `values` (each of which {@link fits} the layout). */
export function buildBatch(layout: SinkLayout, values: readonly unknown[]): RecordBatch {
  const vectors: Vector[] = layout.columns.map((c) => {
    const cells: unknown[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = layout.shape === "value" ? values[i] : (values[i] as Record<string, unknown>)[c.name];
      cells[i] = v === undefined ? null : c.kind === "json" ? JSON.stringify(v) : v;
    }
    return vectorFromArray(cells, arrowType(c.kind));
  });
  const data = makeData({
    type: new Struct(layout.schema.fields),
    length: values.length,
    nullCount: 0,
    children: vectors.map((v) => v.data[0]!),
  });
  return new RecordBatch(layout.schema, data);
}

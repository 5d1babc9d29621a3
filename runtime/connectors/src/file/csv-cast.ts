import type { JsonSchema } from "@tributary/sdk";

type CellType = "integer" | "number" | "boolean" | "null";
const CASTABLE: readonly CellType[] = ["null", "integer", "number", "boolean"];
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Casts the string cells of one CSV record; see {@link csvCaster}. */
export type CsvCaster = (record: Record<string, string>) => Record<string, unknown>;

/**
 * Builds the caster for a record schema: a cell whose field is declared (JSON Schema
 * `properties.<field>.type`, a type name or a list) as `integer`, `number` or `boolean` becomes
 * that type when its text is one (`"42"`, `"-1.5e3"`, `"true"`/`"false"` in any case); an empty
 * cell of a field that allows `null` becomes null. Any other cell stays a string, so that schema
 * validation reports it with the field name.
 *
 * @example
 * ```ts
 * const cast = csvCaster({ properties: { amount: { type: "number" }, ok: { type: "boolean" } } });
 * cast({ amount: "12.5", ok: "TRUE", note: "x" }); // { amount: 12.5, ok: true, note: "x" }
 * ```
 */
export function csvCaster(schema: JsonSchema): CsvCaster {
  const properties = schema["properties"];
  const casts: [string, ReadonlySet<CellType>][] = [];
  if (properties !== null && typeof properties === "object") {
    for (const [field, spec] of Object.entries(properties as Record<string, unknown>)) {
      const type = spec !== null && typeof spec === "object" ? (spec as { type?: unknown }).type : undefined;
      const types = new Set((Array.isArray(type) ? type : [type]).filter((t) => CASTABLE.includes(t)));
      if (types.size > 0) casts.push([field, types as Set<CellType>]);
    }
  }
  if (casts.length === 0) return (record) => record;
  return (record) => {
    const out: Record<string, unknown> = record;
    for (const [field, types] of casts) {
      const cell = record[field];
      if (typeof cell === "string") out[field] = castCell(cell, types);
    }
    return out;
  };
}

function castCell(cell: string, types: ReadonlySet<CellType>): unknown {
  if (cell === "") return types.has("null") ? null : cell;
  const text = cell.trim();
  if (types.has("integer") && INTEGER.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n;
  }
  if (types.has("number") && DECIMAL.test(text)) {
    const n = Number(text);
    if (Number.isFinite(n)) return n;
  }
  if (types.has("boolean")) {
    const lower = text.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
  }
  return cell;
}

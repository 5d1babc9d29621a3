/**
 * The suite's own canonical JSON encoding (SEMANTICS.md §7): object keys sorted by UTF-16 code
 * units, numbers in JavaScript's shortest round-trip form with `-0` written as `0`, `undefined`
 * object members left out (as JSON does), and non-JSON leaves (`undefined`, NaN, ±Infinity,
 * functions) written as `null`. Two values are "the same key" iff their encodings are equal.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) return "null";
      return Object.is(value, -0) ? "0" : JSON.stringify(value);
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "bigint":
      return value.toString();
    case "object": {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
      return `{${members.join(",")}}`;
    }
    default:
      return "null";
  }
}

/** Compares two strings by UTF-16 code units (the order `Array.prototype.sort` uses). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Canonical encoding of keys (SEMANTICS.md §7): two keys are equal iff their encodings are equal.
 */

const FIX = "return a JSON value from keyBy: string, number, boolean, null, array or plain object";

/**
 * A key that is not a JSON value. `path` points at the bad part (`$` is the key itself,
 * `$.a[2]` the third element of field `a`).
 */
export class KeyError extends Error {
  override readonly name = "KeyError";
  /** Where in the key the bad part is, as a JSONPath-like string. */
  readonly path: string;

  constructor(path: string, what: string) {
    super(`Key is not a JSON value: ${path} is ${what}; ${FIX}.`);
    this.path = path;
  }
}

/**
 * The canonical JSON encoding of a key: object keys sorted by UTF-16 code units, numbers in
 * their shortest round-trip form (`-0` becomes `0`), arrays in order, strings JSON-escaped.
 *
 * @throws {KeyError} when the key (or anything inside it) is `undefined`, a function, a symbol,
 * a bigint, NaN or ±Infinity, a non-plain object (Date, Map, class instance), or a cycle.
 *
 * @example
 * canonicalKey({ b: 1, a: [-0, "x"] }); // '{"a":[0,"x"],"b":1}'
 */
export function canonicalKey(value: unknown): string {
  // Fast paths: most keys are strings or numbers, and this runs once per record.
  if (typeof value === "string") return encodeString(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new KeyError("$", describeBad(value));
    // String(-0) is "0"; for finite numbers String() is the shortest round-trip form, as in JSON.
    return String(value);
  }
  return encode(value, "$", []);
}

/**
 * Encodings of recently seen string keys. Streams repeat their keys, so handing back the same
 * encoded string (instead of a fresh one per record) lets state lookups reuse its cached hash.
 * Bounded: cleared when full.
 */
const stringEncodings = new Map<string, string>();
const STRING_ENCODINGS_MAX = 1 << 16;

function encodeString(value: string): string {
  let enc = stringEncodings.get(value);
  if (enc === undefined) {
    enc = JSON.stringify(value);
    if (value.length <= 64) {
      if (stringEncodings.size >= STRING_ENCODINGS_MAX) stringEncodings.clear();
      stringEncodings.set(value, enc);
    }
  }
  return enc;
}

function encode(value: unknown, path: string, ancestors: object[]): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new KeyError(path, describeBad(value));
      return String(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      return encodeObject(value, path, ancestors);
    default:
      throw new KeyError(path, describeBad(value));
  }
}

function encodeObject(value: object, path: string, ancestors: object[]): string {
  if (ancestors.includes(value)) throw new KeyError(path, "a reference back to an enclosing value (a cycle)");
  ancestors.push(value);
  let out: string;
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (let i = 0; i < value.length; i++) {
      // Holes read as undefined and are rejected like undefined elements.
      parts.push(encode(value[i], `${path}[${i}]`, ancestors));
    }
    out = "[" + parts.join(",") + "]";
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new KeyError(path, `an instance of ${constructorName(value)}, not a plain object`);
    }
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, which is what we want.
    const names = Object.keys(record).sort();
    const parts: string[] = [];
    for (const name of names) {
      parts.push(JSON.stringify(name) + ":" + encode(record[name], memberPath(path, name), ancestors));
    }
    out = "{" + parts.join(",") + "}";
  }
  ancestors.pop();
  return out;
}

function memberPath(path: string, name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
}

function constructorName(value: object): string {
  const ctor: unknown = (value as { constructor?: unknown }).constructor;
  return typeof ctor === "function" && ctor.name ? ctor.name : "a class";
}

function describeBad(value: unknown): string {
  switch (typeof value) {
    case "undefined":
      return "undefined";
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    case "bigint":
      return `a bigint (${value}n); convert it to a string or a safe-integer number`;
    case "number":
      return `${value}, which JSON cannot represent`;
    default:
      return `of type ${typeof value}`;
  }
}

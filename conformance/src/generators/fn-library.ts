/**
 * A fixed library of deterministic, named user functions for generated pipelines. Generated
 * pipelines refer to these by name, so a counterexample prints as data. Input records look like
 * `{ k: int, v: number, t: int }`, but every function is total over any JSON value (or throws on
 * purpose, to exercise `onError`).
 */

type Json = unknown;

function field(x: Json, name: string): unknown {
  return typeof x === "object" && x !== null && !Array.isArray(x)
    ? (x as Record<string, unknown>)[name]
    : undefined;
}
function numField(x: Json, name: string): number {
  const v = field(x, name);
  return typeof v === "number" ? v : 0;
}
function withField(x: Json, name: string, value: unknown): Json {
  return typeof x === "object" && x !== null && !Array.isArray(x) ? { ...(x as object), [name]: value } : x;
}
const mod = (a: number, n: number) => ((a % n) + n) % n;

/** Map functions: `(value) => value'`. */
export const MAP_FNS = {
  "double value": (x: Json) => withField(x, "v", numField(x, "v") * 2),
  "add 0.1 to value": (x: Json) => withField(x, "v", numField(x, "v") + 0.1),
  "bucket key by mod 3": (x: Json) => withField(x, "k", mod(Math.trunc(numField(x, "k")), 3)),
  "throw if value divisible by 7": (x: Json) => {
    const v = numField(x, "v");
    if (Number.isInteger(v) && v % 7 === 0 && v !== 0) throw new Error(`value ${v} is divisible by 7`);
    return x;
  },
  /** Adapter after a windowAggregate: a window result as an input-like record. */
  "window result to record": (x: Json) => {
    const value = field(x, "value");
    const window = field(x, "window");
    const v = typeof value === "number" ? value : Array.isArray(value) ? value.length : 1;
    return { k: field(x, "key") ?? null, v, t: numField(window, "end") - 1 };
  },
} as const;

/** Filter functions: `(value) => boolean`. */
export const FILTER_FNS = {
  "value is even": (x: Json) => mod(Math.trunc(numField(x, "v")), 2) === 0,
  "key is not 2": (x: Json) => field(x, "k") !== 2,
  "throw if value negative": (x: Json) => {
    if (numField(x, "v") < 0) throw new Error("negative value");
    return true;
  },
} as const;

/** FlatMap functions: `(value) => Iterable<value'>`. */
export const FLATMAP_FNS = {
  "split into n copies": (x: Json) => {
    const n = mod(Math.trunc(numField(x, "k")), 3);
    return Array.from({ length: n }, (_, i) => withField(x, "copy", i));
  },
  "value and its negation": (x: Json) => [x, withField(x, "v", -numField(x, "v"))],
} as const;

/** Key functions: `(value) => key` (undefined is dead-lettered). */
export const KEY_FNS = {
  "k field": (x: Json) => field(x, "k"),
  "k mod 3": (x: Json) => mod(Math.trunc(numField(x, "k")), 3),
  "constant key": (_: Json) => "all",
  "object key": (x: Json) => ({ parity: mod(Math.trunc(numField(x, "k")), 2), kind: "obj" }),
  "value sign": (x: Json) => (numField(x, "v") < 0 ? "neg" : "pos"),
} as const;

/** Timestamp functions: `(value) => number` (non-safe-integers are dead-lettered). */
export const TIMESTAMP_FNS = {
  "t field": (x: Json) => field(x, "t"),
  "t field minus 50": (x: Json) => {
    const t = field(x, "t");
    return typeof t === "number" ? t - 50 : t;
  },
} as const;

/** Validators: `(raw) => { success, data } | { success: false, error }`. */
export const VALIDATOR_FNS = {
  "requires numeric v": (x: Json) =>
    typeof field(x, "v") === "number"
      ? { success: true, data: x }
      : { success: false, error: "v must be a number" },
} as const;

/** Aggregation input functions: `(value) => unknown`. */
export const INPUT_FNS = {
  "v field": (x: Json) => numField(x, "v"),
  "v field rounded": (x: Json) => Math.round(numField(x, "v")),
  "v divided by 10": (x: Json) => numField(x, "v") / 10,
  "k field": (x: Json) => field(x, "k") ?? null,
} as const;

/** User combiners (associative and commutative, integer arithmetic so order-independent). */
export const COMBINERS = {
  "sum and count": {
    create: () => ({ sum: 0, count: 0 }),
    add: (acc: { sum: number; count: number }, x: Json) => ({
      sum: acc.sum + Math.round(numField(x, "v")),
      count: acc.count + 1,
    }),
    merge: (a: { sum: number; count: number }, b: { sum: number; count: number }) => ({
      sum: a.sum + b.sum,
      count: a.count + b.count,
    }),
    extract: (acc: { sum: number; count: number }) => acc,
  },
  "max abs value": {
    create: () => 0,
    add: (acc: number, x: Json) => Math.max(acc, Math.abs(numField(x, "v"))),
    merge: (a: number, b: number) => Math.max(a, b),
    extract: (acc: number) => acc,
  },
} as const;

export type MapFnName = keyof typeof MAP_FNS;
export type FilterFnName = keyof typeof FILTER_FNS;
export type FlatMapFnName = keyof typeof FLATMAP_FNS;
export type KeyFnName = keyof typeof KEY_FNS;
export type TimestampFnName = keyof typeof TIMESTAMP_FNS;
export type ValidatorFnName = keyof typeof VALIDATOR_FNS;
export type InputFnName = keyof typeof INPUT_FNS;
export type CombinerName = keyof typeof COMBINERS;

/** Names, for generators. */
export const names = <T extends object>(o: T) => Object.keys(o) as (keyof T & string)[];

/**
 * The built-in aggregations of SEMANTICS.md §6 and user `combine`. Each captures the call site of
 * its user functions when created.
 */
import { captureCallSite } from "../callsite.ts";
import { TributaryError } from "../errors.ts";
import type { UserFn } from "../ir/built.ts";
import type { AggregationSpec, JsonSchema } from "../ir/schema.ts";
import { type Aggregation, makeAggregation } from "./aggregation.ts";

const NUMBER: JsonSchema = { type: "number" };
const INTEGER: JsonSchema = { type: "integer", minimum: 0 };

type InputKind = "sum" | "min" | "max" | "mean" | "countDistinct";

function withInput<I, O>(kind: InputKind, fn: UserFn, resultSchema: JsonSchema): Aggregation<I, O> {
  if (typeof fn !== "function") {
    throw new TributaryError(
      "invalid-argument",
      `${kind}(fn): fn must be a function; pass e.g. (x) => x.amount`,
      {
        field: `${kind} input`,
        hint: "pass a function that extracts the value to aggregate",
      },
    );
  }
  const callSite = captureCallSite();
  return makeAggregation<I, O>({
    lower: (register) => ({ kind, input: register("input", fn, callSite) }) as AggregationSpec,
    resultSchema,
  });
}

function optionalInput<I, O>(
  kind: "collect" | "first" | "last",
  fn: UserFn | undefined,
  resultSchema: JsonSchema,
): Aggregation<I, O> {
  if (fn !== undefined && typeof fn !== "function") {
    throw new TributaryError("invalid-argument", `${kind}(fn): fn must be a function or omitted`, {
      field: `${kind} input`,
      hint: "omit fn to use the element itself, or pass a function such as (x) => x.id",
    });
  }
  const callSite = captureCallSite();
  return makeAggregation<I, O>({
    lower: (register) => ({ kind, input: fn === undefined ? null : register("input", fn, callSite) }),
    resultSchema,
  });
}

/**
 * Number of elements.
 * @example `keyed.window(tumbling("1m")).aggregate(count())`
 */
export function count(): Aggregation<unknown, number> {
  return makeAggregation({ lower: () => ({ kind: "count" }), resultSchema: INTEGER });
}

/** Sum of `fn(element)`, exactly rounded whatever the order of additions (SEMANTICS.md §6). */
export function sum<T>(fn: (value: T) => number): Aggregation<T, number> {
  return withInput("sum", fn, NUMBER);
}

/** Smallest `fn(element)`. */
export function min<T>(fn: (value: T) => number): Aggregation<T, number> {
  return withInput("min", fn, NUMBER);
}

/** Largest `fn(element)`. */
export function max<T>(fn: (value: T) => number): Aggregation<T, number> {
  return withInput("max", fn, NUMBER);
}

/** Arithmetic mean of `fn(element)`, exactly rounded. */
export function mean<T>(fn: (value: T) => number): Aggregation<T, number> {
  return withInput("mean", fn, NUMBER);
}

/** Number of distinct `fn(element)` values (compared by canonical JSON encoding). */
export function countDistinct<T>(fn: (value: T) => unknown): Aggregation<T, number> {
  return withInput("countDistinct", fn, INTEGER);
}

/** All elements (or `fn(element)`), sorted by event time, then identity. */
export function collect<T, U = T>(fn?: (value: T) => U): Aggregation<T, U[]> {
  return optionalInput("collect", fn, { type: "array" });
}

/**
 * The `k` largest values of `fn(element)`, descending; ties broken by event time, then identity.
 * @example `topK(3, (t) => t.amount)`
 */
export function topK<T>(k: number, fn: (value: T) => number): Aggregation<T, number[]> {
  if (!Number.isSafeInteger(k) || k < 1) {
    const hint = "pass a positive whole number, e.g. topK(3, (x) => x.amount)";
    throw new TributaryError("invalid-argument", `topK k: ${String(k)} is not a positive integer; ${hint}`, {
      field: "topK k",
      hint,
    });
  }
  if (typeof fn !== "function") {
    throw new TributaryError("invalid-argument", "topK(k, fn): fn must be a function returning a number", {
      field: "topK input",
      hint: "pass e.g. (x) => x.amount",
    });
  }
  const callSite = captureCallSite();
  return makeAggregation({
    lower: (register) => ({ kind: "topK", k, input: register("input", fn, callSite) }),
    resultSchema: { type: "array", items: NUMBER, maxItems: k },
  });
}

/** The earliest element (or `fn(element)`) by event time, then identity. */
export function first<T, U = T>(fn?: (value: T) => U): Aggregation<T, U> {
  return optionalInput("first", fn, {});
}

/** The latest element (or `fn(element)`) by event time, then identity. */
export function last<T, U = T>(fn?: (value: T) => U): Aggregation<T, U> {
  return optionalInput("last", fn, {});
}

/**
 * A user-defined aggregation. For deterministic results `merge` must be associative and
 * commutative, and `extract` must not depend on the order of `add` calls (SEMANTICS.md §6).
 * Accumulators must be structured-clonable (they are checkpointed).
 */
export interface Combiner<T, A, R> {
  /** A fresh, empty accumulator. */
  create(): A;
  /** Adds one element; may mutate and return `acc`. */
  add(acc: A, value: T): A;
  /** Merges two accumulators; may mutate and return `a`. */
  merge(a: A, b: A): A;
  /** The result for an accumulator. */
  extract(acc: A): R;
}

/**
 * A user aggregation from four functions.
 * @example
 * ```ts
 * combine({
 *   create: () => ({ n: 0, max: -Infinity }),
 *   add: (acc, t: Txn) => ({ n: acc.n + 1, max: Math.max(acc.max, t.amount) }),
 *   merge: (a, b) => ({ n: a.n + b.n, max: Math.max(a.max, b.max) }),
 *   extract: (acc) => acc.max,
 * })
 * ```
 */
export function combine<T, A, R>(combiner: Combiner<T, A, R>): Aggregation<T, R> {
  const parts = ["create", "add", "merge", "extract"] as const;
  for (const part of parts) {
    if (typeof combiner?.[part] !== "function") {
      const hint = "pass an object with create, add, merge and extract functions";
      throw new TributaryError("invalid-argument", `combine: ${part} is not a function; ${hint}`, {
        field: `combine ${part}`,
        hint,
      });
    }
  }
  const callSite = captureCallSite();
  return makeAggregation({
    lower: (register) => ({
      kind: "combine",
      create: register("create", combiner.create, callSite),
      add: register("add", combiner.add, callSite),
      merge: register("merge", combiner.merge, callSite),
      extract: register("extract", combiner.extract, callSite),
    }),
    resultSchema: {},
  });
}

import type { UserFn } from "../ir/built.ts";
import type { AggregationSpec, CallSite, FnRef, JsonSchema } from "../ir/schema.ts";

/** Phantom key carrying an aggregation's input and output types; it never exists at run time. */
export declare const aggregationTypes: unique symbol;
/** Key of the SDK-internal lowering of an aggregation to the IR. */
export const aggregationLowering: unique symbol = Symbol("tributary.aggregation");

/**
 * Registers one user function of an aggregation and returns its {@link FnRef}.
 * `part` is `input`, `create`, `add`, `merge` or `extract`.
 */
export type RegisterAggregationFn = (part: string, fn: UserFn, callSite: CallSite | null) => FnRef;

/** How the SDK turns an aggregation into IR. Internal. */
export interface AggregationLowering {
  readonly lower: (register: RegisterAggregationFn) => AggregationSpec;
  /** JSON Schema of the aggregation's result. */
  readonly resultSchema: JsonSchema;
}

/**
 * An aggregation of elements of type `I` into a result of type `O`, for
 * {@link WindowedStream.aggregate}. Build one with `count()`, `sum(fn)`, … or `combine(...)`.
 * Its only keys are symbols, so it can stand where an object of named aggregations is expected.
 */
export type Aggregation<I, O> = {
  /** @internal */
  readonly [aggregationLowering]: AggregationLowering;
  /** Phantom types; absent at run time. */
  readonly [aggregationTypes]?: { readonly input: (input: I) => void; readonly output: O };
};

/**
 * What `aggregate` accepts for a result of type `V`: one aggregation with result `V`, or an
 * object with one aggregation per field of `V`.
 */
export type AggregateSpec<T, V> = Aggregation<T, V> | { readonly [F in keyof V]: Aggregation<T, V[F]> };

/** The result type of an aggregate spec: the aggregation's result, or an object of results. */
export type AggregateResult<S> =
  S extends Aggregation<never, infer O>
    ? O
    : { -readonly [F in keyof S]: S[F] extends Aggregation<never, infer O> ? O : never };

/** Whether `value` is an aggregation built by this SDK. */
export function isAggregation(value: unknown): value is Aggregation<never, unknown> {
  return typeof value === "object" && value !== null && aggregationLowering in value;
}

/** Builds an aggregation object. Internal. */
export function makeAggregation<I, O>(lowering: AggregationLowering): Aggregation<I, O> {
  return { [aggregationLowering]: lowering };
}

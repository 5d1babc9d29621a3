import type { Aggregate, AggregationSpec, FnRef, FnRegistry } from "@tributary/sdk";
import type { Aggregator } from "./aggregator.ts";
import { collectAggregator } from "./builtins/collect.ts";
import { type Combiner, combineAggregator } from "./builtins/combine.ts";
import { countAggregator } from "./builtins/count.ts";
import { countDistinctAggregator } from "./builtins/count-distinct.ts";
import { firstAggregator, lastAggregator } from "./builtins/first-last.ts";
import { meanAggregator } from "./builtins/mean.ts";
import { maxAggregator, minAggregator } from "./builtins/min-max.ts";
import { sumAggregator } from "./builtins/sum.ts";
import { topKAggregator } from "./builtins/top-k.ts";
import type { InputFn } from "./input.ts";

/**
 * Build the aggregator for an IR {@link Aggregate}, looking user functions up in `fns`.
 * `single`: the result is the aggregation's result. `fields`: the result is an object with one
 * result per field, in the IR's field order; the accumulator is an array of field accumulators.
 *
 * @throws Error naming the function id when `fns` lacks a function the IR refers to.
 * @example
 * const agg = makeAggregator({ shape: "single", aggregation: { kind: "count" } }, new Map());
 * agg.extract(agg.add(agg.create(), record)); // 1
 */
export function makeAggregator(aggregate: Aggregate, fns: FnRegistry): Aggregator {
  if (aggregate.shape === "single") return makeAggregation(aggregate.aggregation, fns);
  const names = Object.keys(aggregate.fields);
  const parts = names.map((name) => makeAggregation(aggregate.fields[name]!, fns, name));
  return fieldsAggregator(names, parts);
}

/** The aggregator of one aggregation spec. */
export function makeAggregation(spec: AggregationSpec, fns: FnRegistry, field?: string): Aggregator {
  const where = field === undefined ? spec.kind : `${spec.kind} (field "${field}")`;
  const fn = <F>(ref: FnRef, role: string) => lookup<F>(fns, ref, `${role} of ${where}`);
  const input = (ref: FnRef) => fn<InputFn>(ref, "input");
  const optionalInput = (ref: FnRef | null) => (ref === null ? null : input(ref));
  switch (spec.kind) {
    case "count":
      return countAggregator();
    case "sum":
      return sumAggregator(input(spec.input));
    case "min":
      return minAggregator(input(spec.input));
    case "max":
      return maxAggregator(input(spec.input));
    case "mean":
      return meanAggregator(input(spec.input));
    case "countDistinct":
      return countDistinctAggregator(input(spec.input));
    case "collect":
      return collectAggregator(optionalInput(spec.input));
    case "topK":
      return topKAggregator(spec.k, input(spec.input));
    case "first":
      return firstAggregator(optionalInput(spec.input));
    case "last":
      return lastAggregator(optionalInput(spec.input));
    case "combine":
      return combineAggregator<unknown, unknown>({
        create: fn<Combiner<unknown, unknown>["create"]>(spec.create, "create"),
        add: fn<Combiner<unknown, unknown>["add"]>(spec.add, "add"),
        merge: fn<Combiner<unknown, unknown>["merge"]>(spec.merge, "merge"),
        extract: fn<Combiner<unknown, unknown>["extract"]>(spec.extract, "extract"),
      });
  }
}

function lookup<F>(fns: FnRegistry, ref: FnRef, role: string): F {
  const f = fns.get(ref.id);
  if (f === undefined) {
    const at = ref.callSite
      ? ` (defined at ${ref.callSite.file}:${ref.callSite.line}:${ref.callSite.column})`
      : "";
    throw new Error(
      `Function "${ref.id}"${at}, the ${role}, is not in the function registry. ` +
        `The IR and the functions must come from the same build of the pipeline module: rebuild the pipeline.`,
    );
  }
  return f as unknown as F;
}

function fieldsAggregator(
  names: readonly string[],
  parts: readonly Aggregator[],
): Aggregator<unknown[], unknown> {
  const n = parts.length;
  return {
    create: () => parts.map((p) => p.create()),
    add(acc, record) {
      for (let i = 0; i < n; i++) acc[i] = parts[i]!.add(acc[i], record);
      return acc;
    },
    merge(a, b) {
      for (let i = 0; i < n; i++) a[i] = parts[i]!.merge(a[i], b[i]);
      return a;
    },
    extract(acc) {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) out[names[i]!] = parts[i]!.extract(acc[i]);
      return out;
    },
  };
}

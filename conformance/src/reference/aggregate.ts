/** The built-in aggregations of SEMANTICS.md §6, computed over all members of one window at once. */
import type { Aggregate, AggregationSpec, FnRegistry } from "@tributary/sdk";
import { compareByTsThenIdentity } from "../canonical/identity.ts";
import { canonicalJson } from "../canonical/json.ts";
import type { Identity } from "../runner.ts";
import { exactMean, exactSum } from "./exact-arithmetic.ts";
import { lookupFn } from "./user-fns.ts";

/** One element of a window, with the outputs of the aggregation `input` functions. */
export interface AggregationMember {
  value: unknown;
  ts: number;
  id: Identity;
  /** One entry per spec of {@link aggregationSpecs}, in that order. */
  inputs: unknown[];
}

/** The aggregation specs of an aggregate, in a fixed order (fields in IR order). */
export function aggregationSpecs(aggregate: Aggregate): AggregationSpec[] {
  return aggregate.shape === "single" ? [aggregate.aggregation] : Object.values(aggregate.fields);
}

/**
 * Evaluates the `input` functions of every spec on one element. Throws whatever a user
 * function throws (the caller applies `onError`).
 */
export function aggregationInputs(aggregate: Aggregate, fns: FnRegistry, value: unknown): unknown[] {
  return aggregationSpecs(aggregate).map((spec) => {
    switch (spec.kind) {
      case "count":
      case "combine":
        return value;
      case "collect":
      case "first":
      case "last":
        return spec.input === null ? value : lookupFn(fns, spec.input)(value);
      default:
        return lookupFn(fns, spec.input)(value);
    }
  });
}

function numbers(values: unknown[], kind: string): number[] {
  return values.map((v) => {
    if (typeof v !== "number")
      throw new Error(`reference model: ${kind} input must be a number, got ${canonicalJson(v)}`);
    return v;
  });
}

function aggregateOne(
  spec: AggregationSpec,
  members: AggregationMember[],
  slot: number,
  fns: FnRegistry,
): unknown {
  const inputs = members.map((m) => m.inputs[slot]);
  switch (spec.kind) {
    case "count":
      return members.length;
    case "sum":
      return exactSum(numbers(inputs, "sum"));
    case "mean":
      return exactMean(numbers(inputs, "mean"));
    case "min":
      return numbers(inputs, "min").reduce((a, b) => Math.min(a, b));
    case "max":
      return numbers(inputs, "max").reduce((a, b) => Math.max(a, b));
    case "countDistinct":
      return new Set(inputs.map(canonicalJson)).size;
    case "collect":
      return inputs;
    case "first":
      return inputs[0];
    case "last":
      return inputs.at(-1);
    case "topK": {
      const ranked = members.map((m, i) => ({ input: numbers([m.inputs[slot]], "topK")[0]!, order: i }));
      ranked.sort((a, b) => (a.input !== b.input ? (a.input > b.input ? -1 : 1) : a.order - b.order));
      return ranked.slice(0, spec.k).map((r) => r.input);
    }
    case "combine": {
      const add = lookupFn(fns, spec.add);
      let acc = lookupFn(fns, spec.create)();
      for (const m of members) acc = add(acc, m.value);
      return lookupFn(fns, spec.extract)(acc);
    }
  }
}

/** The value of `aggregate` over all `members` of one window (members need not be sorted). */
export function aggregateWindow(
  aggregate: Aggregate,
  members: AggregationMember[],
  fns: FnRegistry,
): unknown {
  const sorted = [...members].sort(compareByTsThenIdentity);
  if (aggregate.shape === "single") return aggregateOne(aggregate.aggregation, sorted, 0, fns);
  const result: Record<string, unknown> = {};
  Object.entries(aggregate.fields).forEach(([name, spec], slot) => {
    result[name] = aggregateOne(spec, sorted, slot, fns);
  });
  return result;
}

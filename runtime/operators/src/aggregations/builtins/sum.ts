import type { Aggregator } from "../aggregator.ts";
import { addToExactSum, createExactSum, type ExactSum, exactSumValue, mergeExactSums } from "../exact-sum.ts";
import { type InputFn, requireNumber } from "../input.ts";

/**
 * Exactly rounded sum of `input(value)` (SEMANTICS.md §6): the same result in any order.
 * A non-number input throws a TypeError that names the value. Empty: 0.
 */
export function sumAggregator(input: InputFn): Aggregator<ExactSum, number> {
  return {
    create: createExactSum,
    add: (acc, record) => addToExactSum(acc, requireNumber("sum", input(record.value))),
    merge: mergeExactSums,
    extract: exactSumValue,
  };
}

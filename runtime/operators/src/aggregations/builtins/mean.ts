import type { Aggregator } from "../aggregator.ts";
import {
  addToExactSum,
  createExactSum,
  type ExactSum,
  exactMeanValue,
  mergeExactSums,
} from "../exact-sum.ts";
import { type InputFn, requireNumber } from "../input.ts";

/** Accumulator of {@link meanAggregator}: the exact sum and the number of values. */
export interface MeanAcc {
  sum: ExactSum;
  count: number;
}

/**
 * Mean of `input(value)`; `null` when there are no values.
 *
 * Rounding: the exact sum divided by the count, rounded once to the nearest double (ties to
 * even), as SEMANTICS.md §6 requires. It depends only on the exact sum and the count, so it is
 * the same in any order and for any merge tree.
 */
export function meanAggregator(input: InputFn): Aggregator<MeanAcc, number | null> {
  return {
    create: () => ({ sum: createExactSum(), count: 0 }),
    add(acc, record) {
      addToExactSum(acc.sum, requireNumber("mean", input(record.value)));
      acc.count++;
      return acc;
    },
    merge(a, b) {
      mergeExactSums(a.sum, b.sum);
      a.count += b.count;
      return a;
    },
    extract: (acc) => (acc.count === 0 ? null : exactMeanValue(acc.sum, acc.count)),
  };
}

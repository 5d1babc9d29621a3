export type { Aggregator } from "./aggregator.ts";
export { collectAggregator, type TimedValue } from "./builtins/collect.ts";
export { type Combiner, combineAggregator } from "./builtins/combine.ts";
export { countAggregator } from "./builtins/count.ts";
export { countDistinctAggregator } from "./builtins/count-distinct.ts";
export { type ChosenValue, firstAggregator, lastAggregator } from "./builtins/first-last.ts";
export { type MeanAcc, meanAggregator } from "./builtins/mean.ts";
export { type ExtremumAcc, maxAggregator, minAggregator } from "./builtins/min-max.ts";
export { sumAggregator } from "./builtins/sum.ts";
export { type RankedValue, topKAggregator } from "./builtins/top-k.ts";
export {
  addToExactSum,
  createExactSum,
  type ExactSum,
  exactMeanValue,
  exactSumOf,
  exactSumValue,
  mergeExactSums,
} from "./exact-sum.ts";
export { type InputFn, requireNumber } from "./input.ts";
export { makeAggregation, makeAggregator } from "./make-aggregator.ts";

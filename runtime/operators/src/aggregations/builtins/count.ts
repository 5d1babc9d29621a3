import type { Aggregator } from "../aggregator.ts";

/** Number of elements. The accumulator is the count itself. */
export function countAggregator(): Aggregator<number, number> {
  return {
    create: () => 0,
    add: (acc) => acc + 1,
    merge: (a, b) => a + b,
    extract: (acc) => acc,
  };
}

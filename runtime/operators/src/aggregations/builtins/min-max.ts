import type { Aggregator } from "../aggregator.ts";
import { type InputFn, requireNumber } from "../input.ts";

/** Accumulator of min/max: mutated in place, so adding allocates nothing. */
export interface ExtremumAcc {
  /** Whether any value was added. */
  seen: boolean;
  /** The extremum so far (NaN if any value was NaN). */
  value: number;
}

/**
 * Smallest `input(value)`; `null` when there are none. Uses `Math.min`, which is commutative
 * and associative even for NaN (any NaN gives NaN) and signed zeros (-0 < 0).
 */
export function minAggregator(input: InputFn): Aggregator<ExtremumAcc, number | null> {
  return extremum("min", input, Math.min);
}

/** Largest `input(value)`; `null` when there are none. See {@link minAggregator}. */
export function maxAggregator(input: InputFn): Aggregator<ExtremumAcc, number | null> {
  return extremum("max", input, Math.max);
}

function extremum(
  name: string,
  input: InputFn,
  pick: (a: number, b: number) => number,
): Aggregator<ExtremumAcc, number | null> {
  return {
    create: () => ({ seen: false, value: 0 }),
    add(acc, record) {
      const x = requireNumber(name, input(record.value));
      acc.value = acc.seen ? pick(acc.value, x) : x;
      acc.seen = true;
      return acc;
    },
    merge(a, b) {
      if (b.seen) {
        a.value = a.seen ? pick(a.value, b.value) : b.value;
        a.seen = true;
      }
      return a;
    },
    extract: (acc) => (acc.seen ? acc.value : null),
  };
}

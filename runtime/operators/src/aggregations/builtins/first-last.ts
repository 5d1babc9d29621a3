import type { Identity } from "../../record.ts";
import { compareIdentity } from "../../record.ts";
import type { Aggregator } from "../aggregator.ts";
import type { InputFn } from "../input.ts";

/** Accumulator of first/last: the winning element so far, mutated in place. */
export interface ChosenValue {
  seen: boolean;
  ts: number;
  id: Identity;
  value: unknown;
}

/** `input(value)` (the element value when `input` is null) of the earliest element by `ts`, then identity; `null` when empty. */
export function firstAggregator(input: InputFn | null): Aggregator<ChosenValue, unknown> {
  return chooser(input, -1);
}

/** `input(value)` (the element value when `input` is null) of the latest element by `ts`, then identity; `null` when empty. */
export function lastAggregator(input: InputFn | null): Aggregator<ChosenValue, unknown> {
  return chooser(input, 1);
}

/** `wins = -1`: the smaller (ts, id) wins; `1`: the larger. */
function chooser(input: InputFn | null, wins: 1 | -1): Aggregator<ChosenValue, unknown> {
  const beats = (ts: number, id: Identity, acc: ChosenValue): boolean =>
    !acc.seen || (ts - acc.ts || compareIdentity(id, acc.id)) * wins > 0;
  return {
    create: () => ({ seen: false, ts: 0, id: [], value: null }),
    add(acc, record) {
      // Call input for every element, not only winners: whether it throws must not depend on arrival order.
      const value = input ? input(record.value) : record.value;
      if (beats(record.ts, record.id, acc)) {
        acc.seen = true;
        acc.ts = record.ts;
        acc.id = record.id;
        acc.value = value;
      }
      return acc;
    },
    merge(a, b) {
      if (b.seen && beats(b.ts, b.id, a)) {
        a.seen = true;
        a.ts = b.ts;
        a.id = b.id;
        a.value = b.value;
      }
      return a;
    },
    extract: (acc) => (acc.seen ? acc.value : null),
  };
}

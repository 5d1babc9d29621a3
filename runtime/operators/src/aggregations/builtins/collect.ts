import type { Identity } from "../../record.ts";
import { compareByTimeThenIdentity } from "../../record.ts";
import type { Aggregator } from "../aggregator.ts";
import type { InputFn } from "../input.ts";

/** One collected value with the event time and identity of its element. */
export interface TimedValue {
  ts: number;
  id: Identity;
  value: unknown;
}

/**
 * All `input(value)`s (the element values when `input` is null), sorted by event time, then
 * identity (SEMANTICS.md §6). The accumulator is the unsorted list; `extract` sorts it.
 */
export function collectAggregator(input: InputFn | null): Aggregator<TimedValue[], unknown[]> {
  return {
    create: () => [],
    add(acc, record) {
      acc.push({ ts: record.ts, id: record.id, value: input ? input(record.value) : record.value });
      return acc;
    },
    merge(a, b) {
      const n = b.length;
      for (let i = 0; i < n; i++) a.push(b[i]!);
      return a;
    },
    extract(acc) {
      // Sorting in place is harmless (order is not part of the state) and makes re-extracting cheap.
      acc.sort(compareByTimeThenIdentity);
      return acc.map((e) => e.value);
    },
  };
}

import type { Identity } from "../../record.ts";
import { compareIdentity } from "../../record.ts";
import type { Aggregator } from "../aggregator.ts";
import { describeValue, type InputFn, requireNumber } from "../input.ts";

/** A candidate of {@link topKAggregator}. */
export interface RankedValue {
  value: number;
  ts: number;
  id: Identity;
}

/** Rank order: larger value first, then earlier `ts`, then smaller identity. */
function compareRank(a: RankedValue, b: RankedValue): number {
  return compareRankTo(a.value, a.ts, a.id, b);
}

function compareRankTo(value: number, ts: number, id: Identity, b: RankedValue): number {
  if (value !== b.value) return value > b.value ? -1 : 1;
  return ts - b.ts || compareIdentity(id, b.id);
}

/**
 * The `k` largest `input(value)`s, descending; equal values are ranked by event time, then
 * identity (SEMANTICS.md §6). NaN is rejected (it has no rank). The accumulator holds at most
 * `k` candidates, best first; a record that does not make the cut allocates nothing.
 */
export function topKAggregator(k: number, input: InputFn): Aggregator<RankedValue[], number[]> {
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`topK needs a positive integer k, got ${describeValue(k)}.`);
  }
  return {
    create: () => [],
    add(acc, record) {
      const value = requireNumber("topK", input(record.value));
      if (Number.isNaN(value)) {
        throw new TypeError(
          "topK needs numbers it can rank, but its input returned NaN. Filter out or replace NaN.",
        );
      }
      if (acc.length === k && compareRankTo(value, record.ts, record.id, acc[k - 1]!) > 0) return acc;
      insertRanked(acc, { value, ts: record.ts, id: record.id }, k);
      return acc;
    },
    merge(a, b) {
      const bs = a === b ? b.slice() : b;
      for (const candidate of bs) {
        if (a.length === k && compareRank(candidate, a[k - 1]!) > 0) break; // b is sorted too
        insertRanked(a, candidate, k);
      }
      return a;
    },
    extract: (acc) => acc.map((e) => e.value),
  };
}

function insertRanked(list: RankedValue[], entry: RankedValue, k: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareRank(list[mid]!, entry) < 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, entry);
  if (list.length > k) list.length = k;
}

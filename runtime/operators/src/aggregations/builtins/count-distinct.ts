import { canonicalKey, KeyError } from "../../keys/canonical-key.ts";
import type { Aggregator } from "../aggregator.ts";
import { describeValue, type InputFn } from "../input.ts";

/**
 * Number of distinct `input(value)`s, compared by {@link canonicalKey} (so `{a:1,b:2}` and
 * `{b:2,a:1}` are one value, and `-0` equals `0`). A value that is not JSON throws a TypeError.
 * The accumulator is a Set of canonical encodings (structured-clonable).
 */
export function countDistinctAggregator(input: InputFn): Aggregator<Set<string>, number> {
  return {
    create: () => new Set<string>(),
    add: (acc, record) => acc.add(encode(input(record.value))),
    merge(a, b) {
      for (const k of b) a.add(k);
      return a;
    },
    extract: (acc) => acc.size,
  };
}

function encode(x: unknown): string {
  try {
    return canonicalKey(x);
  } catch (e) {
    if (!(e instanceof KeyError)) throw e;
    throw new TypeError(
      `countDistinct compares values as JSON, but its input returned ${describeValue(x)}, where ${e.path} is not JSON. ` +
        `Return a string, number, boolean, null, array or plain object from the input function.`,
    );
  }
}

import type { Aggregator } from "../aggregator.ts";

/** The four functions of a user `combine` aggregation (see the IR's FnRef notes). */
export interface Combiner<A, R> {
  create: () => A;
  /** Receives the element value. */
  add: (acc: A, value: unknown) => A;
  merge: (a: A, b: A) => A;
  extract: (acc: A) => R;
}

/**
 * A user aggregation. For deterministic results `merge` must be associative and commutative
 * and the result must not depend on the order of `add` calls (SEMANTICS.md §6); its
 * accumulator must be structured-clonable (it is checkpointed with v8.serialize).
 */
export function combineAggregator<A, R>(fns: Combiner<A, R>): Aggregator<A, R> {
  return {
    create: () => fns.create(),
    add: (acc, record) => fns.add(acc, record.value),
    merge: (a, b) => fns.merge(a, b),
    extract: (acc) => fns.extract(acc),
  };
}

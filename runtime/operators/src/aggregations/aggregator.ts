import type { StreamRecord } from "../record.ts";

/**
 * An aggregation as the window operator runs it. Accumulators must be structured-clonable
 * (they are checkpointed with v8.serialize). `add` and `merge` may mutate and return their first
 * argument. For determinism `merge` must be associative and commutative and the extracted
 * result must not depend on the order of `add` calls (SEMANTICS.md §6).
 */
export interface Aggregator<A = unknown, R = unknown> {
  create(): A;
  add(acc: A, record: StreamRecord): A;
  merge(a: A, b: A): A;
  extract(acc: A): R;
}

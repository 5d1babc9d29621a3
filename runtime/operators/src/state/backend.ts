/**
 * Keyed state and the backends that hold and checkpoint it (SEMANTICS.md §7, §10).
 *
 * Stores are synchronous on the hot path: a disk-backed store keeps a cache, and the operator
 * calls {@link KeyedStateStore.prefetch} with the keys of a batch before touching them.
 */
import type { Snapshot } from "../operator.ts";

export interface KeyedStateStore<V> {
  /** The value for a key. For disk-backed stores the key must have been prefetched. */
  get(keyEnc: string): V | undefined;
  /** Set the value for a key of key group `keyGroup`. The store may keep a reference to `value`. */
  set(keyEnc: string, keyGroup: number, value: V): void;
  delete(keyEnc: string): void;
  /** Make the given keys readable with {@link get}. A no-op (returns undefined) for memory stores. */
  prefetch(keys: Iterable<string>): void | Promise<void>;
  /** Every key in the store, including those not cached (for timer rebuilds and inspection). */
  keys(): AsyncIterable<string>;
}

/** What a checkpoint stores besides keyed state: source positions, operator snapshots, sink commits. */
export interface CheckpointMeta {
  readonly sourcePositions: Snapshot;
  readonly operators: Readonly<Record<string, Snapshot>>;
  readonly sinks: Readonly<Record<string, Snapshot>>;
}

export interface CompletedCheckpoint {
  readonly id: number;
  readonly meta: CheckpointMeta;
}

export interface StateBackend {
  /** The store named `name` (one per keyed operator; the node id). Same name, same store. */
  store<V>(name: string): KeyedStateStore<V>;
  /**
   * Persist every state change since the last checkpoint together with `meta`, atomically:
   * after a crash, a restore sees all of it or none of it.
   */
  checkpoint(id: number, meta: CheckpointMeta): Promise<void>;
  /** Load the last completed checkpoint (stores then reflect it), or null when there is none. */
  restore(): Promise<CompletedCheckpoint | null>;
  close(): Promise<void>;
}

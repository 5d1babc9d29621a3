/**
 * A state backend on LevelDB (classic-level), for keyed state larger than memory.
 */

import { deserialize, serialize } from "node:v8";
import { ClassicLevel } from "classic-level";
import type { CheckpointMeta, CompletedCheckpoint, KeyedStateStore, StateBackend } from "./backend.ts";
import { LevelKeyedStore, type RecencyClock, type StateDatabase, type StateWrite } from "./level-store.ts";
import { assertCheckpointId } from "./memory-backend.ts";

/** Options of {@link LevelStateBackend}. */
export interface LevelStateBackendOptions {
  /** The LevelDB directory (created when missing). One backend per directory at a time. */
  readonly path: string;
  /**
   * How many unchanged entries (values, or keys known to be absent) stay cached over all stores
   * of the backend; the least recently used beyond it are dropped after each checkpoint.
   * Default {@link DEFAULT_STATE_CACHE_SIZE}.
   */
  readonly cacheSize?: number;
}

/** The default {@link LevelStateBackendOptions.cacheSize}. */
export const DEFAULT_STATE_CACHE_SIZE = 100_000;

/** The reserved LevelDB key of the checkpoint meta record (store keys all start with `s`). */
const META_KEY = "m:checkpoint";
const FORMAT = "tributary-level-checkpoint";
const FORMAT_VERSION = 1;

interface MetaRecord {
  readonly format: typeof FORMAT;
  readonly version: number;
  readonly id: number;
  readonly meta: CheckpointMeta;
}

/**
 * Keyed state in LevelDB, with a synchronous in-memory cache on the per-record path.
 *
 * - `get` sees only cached keys: operators call `prefetch(keys)` for a batch first, which loads
 *   the missing ones with one `getMany`. A `get` of a key that was never prefetched (or was
 *   dropped from the cache at a checkpoint) throws instead of returning stale state.
 * - `set` and `delete` stay in memory until the next {@link LevelStateBackend.checkpoint}, which
 *   writes all of them and the checkpoint meta in one atomic LevelDB batch (synced to disk).
 *   Nothing else writes to LevelDB, so after a crash it holds exactly the last completed
 *   checkpoint. The keys changed in one checkpoint interval must therefore fit in memory.
 * - Each value is stored with its key group (SEMANTICS.md §7), v8-serialized.
 *
 * @example
 * const backend = new LevelStateBackend({ path: "./state" });
 * const last = await backend.restore(); // null on a fresh directory
 * const sums = backend.store<number>("sum-by-card");
 * await sums.prefetch(['"card-1"']);
 * sums.set('"card-1"', 42, (sums.get('"card-1"') ?? 0) + 10);
 * await backend.checkpoint((last?.id ?? 0) + 1, { sourcePositions: {}, operators: {}, sinks: {} });
 * await backend.close();
 */
export class LevelStateBackend implements StateBackend {
  readonly #db: StateDatabase;
  readonly #ready: Promise<void>;
  readonly #cacheSize: number;
  readonly #stores = new Map<string, LevelKeyedStore<unknown>>();
  readonly #clock: RecencyClock = { tick: 0 };
  /** Checkpoint batches are written one after another, in call order. */
  #pending: Promise<void> = Promise.resolve();
  /** Why the last checkpoint failed; until a restore, no later one may be written (it would miss changes). */
  #failure: Error | undefined;
  #closed = false;

  constructor(options: LevelStateBackendOptions) {
    const cacheSize = options.cacheSize ?? DEFAULT_STATE_CACHE_SIZE;
    if (!Number.isSafeInteger(cacheSize) || cacheSize < 0) {
      throw new Error(
        `LevelStateBackend: cacheSize must be a non-negative integer (entries), got ${String(cacheSize)}.`,
      );
    }
    this.#cacheSize = cacheSize;
    this.#db = new ClassicLevel<string, Uint8Array>(options.path, { valueEncoding: "view" });
    const path = options.path;
    this.#ready = this.#db.open().catch((error: unknown) => {
      throw new Error(
        `Cannot open the LevelDB state directory ${path}: ${describeOpenError(error)}. ` +
          "Check that the path is a writable directory and that no other job uses it.",
        { cause: error },
      );
    });
    this.#ready.catch(() => {}); // reported by the first operation that needs the database
  }

  store<V>(name: string): KeyedStateStore<V> {
    this.#assertOpen("store");
    let store = this.#stores.get(name);
    if (store === undefined) {
      store = new LevelKeyedStore<unknown>(name, this.#db, this.#clock, () => this.#ready);
      this.#stores.set(name, store);
    }
    return store as KeyedStateStore<V>;
  }

  async checkpoint(id: number, meta: CheckpointMeta): Promise<void> {
    // Everything up to the first await runs at call time: the checkpoint holds the state as of now.
    this.#assertOpen("checkpoint");
    assertCheckpointId(id);
    if (this.#failure !== undefined) throw this.#afterFailure(id);
    const record: MetaRecord = { format: FORMAT, version: FORMAT_VERSION, id, meta };
    const writes: StateWrite[] = [];
    const begun: [LevelKeyedStore<unknown>, Set<string>][] = [];
    try {
      for (const store of this.#stores.values()) begun.push([store, store.beginCheckpoint(writes)]);
      writes.push({ type: "put", key: META_KEY, value: serializeMeta(record) });
    } catch (error) {
      for (const [store, keys] of begun) store.endCheckpoint(keys, false);
      throw error;
    }
    const write = async (): Promise<void> => {
      if (this.#failure !== undefined) throw this.#afterFailure(id);
      let succeeded = false;
      try {
        await this.#ready;
        await this.#db.batch(writes, { sync: true });
        succeeded = true;
      } catch (error) {
        this.#failure = new Error(
          `Checkpoint ${id} could not be written to LevelDB at ${this.#db.location}: ` +
            `${(error as Error).message}`,
          { cause: error },
        );
        throw this.#failure;
      } finally {
        for (const [store, keys] of begun) store.endCheckpoint(keys, succeeded);
      }
      this.#evict();
    };
    const done = this.#pending.then(write);
    this.#pending = done.catch(() => {});
    await done;
  }

  async restore(): Promise<CompletedCheckpoint | null> {
    this.#assertOpen("restore");
    await this.#pending;
    await this.#ready;
    const bytes = await this.#db.get(META_KEY);
    for (const store of this.#stores.values()) store.reset();
    this.#failure = undefined;
    if (bytes === undefined) return null;
    const record = decodeMeta(bytes, this.#db.location);
    return { id: record.id, meta: record.meta };
  }

  /** Close the database. Changes since the last completed checkpoint are discarded. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pending;
    await this.#ready.catch(() => {});
    await this.#db.close();
  }

  /** Drop the least recently used entries LevelDB already has, down to the cache size. */
  #evict(): void {
    let cached = 0;
    for (const store of this.#stores.values()) cached += store.cachedCount;
    const excess = cached - this.#cacheSize;
    if (excess <= 0) return;
    const stamps: number[] = [];
    for (const store of this.#stores.values()) store.collectEvictableStamps(stamps);
    if (stamps.length === 0) return;
    const sorted = Float64Array.from(stamps).sort();
    const threshold = sorted[Math.min(excess, sorted.length) - 1]!;
    for (const store of this.#stores.values()) store.evictUpTo(threshold);
  }

  #afterFailure(id: number): Error {
    return new Error(
      `Checkpoint ${id} refused: an earlier checkpoint failed (${this.#failure?.message}), so this one ` +
        "would miss its changes. Call restore() to go back to the last completed checkpoint.",
    );
  }

  #assertOpen(operation: string): void {
    if (this.#closed) {
      throw new Error(`LevelStateBackend.${operation}: the backend is closed; create a new one.`);
    }
  }
}

function serializeMeta(record: MetaRecord): Uint8Array {
  try {
    return serialize(record);
  } catch (error) {
    throw new Error(
      `Checkpoint ${record.id}: the checkpoint meta cannot be serialized (${(error as Error).message}). ` +
        "Operator, source and sink snapshots must be structured-clonable plain data.",
    );
  }
}

function decodeMeta(bytes: Uint8Array, location: string): MetaRecord {
  let record: Partial<MetaRecord> | null;
  try {
    record = deserialize(bytes) as Partial<MetaRecord> | null;
  } catch {
    record = null;
  }
  if (record?.format !== FORMAT || record.version !== FORMAT_VERSION) {
    throw new Error(
      `The LevelDB directory ${location} does not hold a version-${FORMAT_VERSION} Tributary checkpoint. ` +
        "Use a state directory written by this version of Tributary, or an empty one.",
    );
  }
  return record as MetaRecord;
}

function describeOpenError(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const message = error instanceof Error ? error.message : String(error);
  return cause instanceof Error ? `${message} (${cause.message})` : message;
}

/**
 * One keyed state store of the LevelDB backend: a synchronous cache in front of LevelDB.
 *
 * The cache holds, per key, what is known about it: its value and key group, or that it is
 * absent. A key is "changed" when it was set or deleted since the last checkpoint started; changed
 * entries (and those of a checkpoint still being written) are never evicted, because LevelDB does
 * not have them yet. Nothing here writes to LevelDB: the backend's checkpoint does.
 */

import { deserialize, serialize } from "node:v8";
import type { ClassicLevel } from "classic-level";
import type { KeyedStateStore } from "./backend.ts";

/** The database as the LevelDB backend opens it: string keys, byte values. */
export type StateDatabase = ClassicLevel<string, Uint8Array>;

/** A recency counter shared by all stores of a backend, for least-recently-used eviction. */
export interface RecencyClock {
  tick: number;
}

/** What the cache knows about one key. */
export interface CacheEntry<V> {
  value: V | undefined;
  keyGroup: number;
  /** False when the key is known to have no value (deleted, or absent in LevelDB). */
  present: boolean;
  /** {@link RecencyClock} tick of the last use. */
  stamp: number;
}

/** A LevelDB write of a checkpoint batch. */
export type StateWrite =
  | { readonly type: "put"; readonly key: string; readonly value: Uint8Array }
  | { readonly type: "del"; readonly key: string };

/**
 * The LevelDB key prefix of store `name`. The name's length makes prefixes of different stores
 * never prefixes of one another, and the trailing `/` lets one store be range-iterated.
 */
export function storeKeyPrefix(name: string): string {
  return `s${name.length}:${name}/`;
}

/** The exclusive upper bound of the keys that start with `prefix` (which ends in `/`). */
function prefixUpperBound(prefix: string): string {
  return prefix.slice(0, -1) + "0";
}

/** A UTF-16 surrogate without its pair: UTF-8 encoding would turn it into U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export class LevelKeyedStore<V> implements KeyedStateStore<V> {
  readonly #cache = new Map<string, CacheEntry<V>>();
  /** Keys set or deleted since the last checkpoint started. */
  #changed = new Set<string>();
  /** Changed keys of checkpoints that started but whose batch has not landed yet. */
  readonly #inFlight: Set<string>[] = [];
  /** Bumped whenever cached entries are dropped, so a concurrent prefetch knows to re-read. */
  #epoch = 0;
  readonly #prefix: string;

  constructor(
    readonly name: string,
    readonly db: StateDatabase,
    readonly clock: RecencyClock,
    readonly ready: () => Promise<void>,
  ) {
    this.#prefix = storeKeyPrefix(name);
  }

  get(keyEnc: string): V | undefined {
    const entry = this.#cache.get(keyEnc);
    if (entry === undefined) throw this.#notPrefetched(keyEnc);
    entry.stamp = ++this.clock.tick;
    return entry.value;
  }

  set(keyEnc: string, keyGroup: number, value: V): void {
    const entry = this.#cache.get(keyEnc);
    if (entry === undefined) {
      this.#cache.set(keyEnc, { value, keyGroup, present: true, stamp: ++this.clock.tick });
    } else {
      entry.value = value;
      entry.keyGroup = keyGroup;
      entry.present = true;
      entry.stamp = ++this.clock.tick;
    }
    this.#changed.add(keyEnc);
  }

  delete(keyEnc: string): void {
    const entry = this.#cache.get(keyEnc);
    if (entry === undefined) {
      this.#cache.set(keyEnc, { value: undefined, keyGroup: 0, present: false, stamp: ++this.clock.tick });
    } else {
      entry.value = undefined;
      entry.present = false;
      entry.stamp = ++this.clock.tick;
    }
    this.#changed.add(keyEnc);
  }

  prefetch(keys: Iterable<string>): void | Promise<void> {
    const missing = new Set<string>();
    for (const key of keys) {
      const entry = this.#cache.get(key);
      if (entry === undefined) missing.add(key);
      else entry.stamp = ++this.clock.tick;
    }
    return missing.size === 0 ? undefined : this.#load([...missing]);
  }

  async *keys(): AsyncIterable<string> {
    // The cache decides for the keys it holds (set, deleted, or loaded); LevelDB for all others.
    const cached = new Set(this.#cache.keys());
    const present: string[] = [];
    for (const [key, entry] of this.#cache) if (entry.present) present.push(key);
    await this.ready();
    const prefix = this.#prefix;
    for await (const dbKey of this.db.keys({ gte: prefix, lt: prefixUpperBound(prefix) })) {
      const key = dbKey.slice(prefix.length);
      if (!cached.has(key)) yield key;
    }
    yield* present;
  }

  /** The number of cached entries (present or known absent). */
  get cachedCount(): number {
    return this.#cache.size;
  }

  /**
   * Start a checkpoint: append the LevelDB writes for every changed key to `writes` and move the
   * changed keys in flight. Values are serialized now, so later writes are not part of it.
   */
  beginCheckpoint(writes: StateWrite[]): Set<string> {
    const changed = this.#changed;
    const ours: StateWrite[] = [];
    for (const key of changed) {
      if (LONE_SURROGATE.test(key)) throw this.#malformedKey(key);
      const entry = this.#cache.get(key)!;
      const dbKey = this.#prefix + key;
      if (entry.present) ours.push({ type: "put", key: dbKey, value: this.#encode(key, entry) });
      else ours.push({ type: "del", key: dbKey });
    }
    // Only now that nothing can throw any more: the keys are in flight.
    for (const write of ours) writes.push(write);
    this.#changed = new Set();
    this.#inFlight.push(changed);
    return changed;
  }

  /** The checkpoint that took `keys` ended. When it failed, its keys are changed again. */
  endCheckpoint(keys: Set<string>, succeeded: boolean): void {
    const index = this.#inFlight.indexOf(keys);
    if (index >= 0) this.#inFlight.splice(index, 1);
    if (!succeeded) for (const key of keys) this.#changed.add(key);
  }

  /** Add the stamps of the entries that may be evicted (LevelDB has them) to `stamps`. */
  collectEvictableStamps(stamps: number[]): void {
    for (const [key, entry] of this.#cache) {
      if (this.#isEvictable(key)) stamps.push(entry.stamp);
    }
  }

  /** Drop the evictable entries last used at or before `stamp`. */
  evictUpTo(stamp: number): void {
    let evicted = false;
    for (const [key, entry] of this.#cache) {
      if (entry.stamp <= stamp && this.#isEvictable(key)) {
        this.#cache.delete(key);
        evicted = true;
      }
    }
    if (evicted) this.#epoch++;
  }

  /** Forget everything cached and every change: the store then reads LevelDB as it is. */
  reset(): void {
    this.#cache.clear();
    this.#changed = new Set();
    this.#inFlight.length = 0;
    this.#epoch++;
  }

  #isEvictable(key: string): boolean {
    if (this.#changed.has(key)) return false;
    for (const keys of this.#inFlight) if (keys.has(key)) return false;
    return true;
  }

  async #load(keys: string[]): Promise<void> {
    await this.ready();
    const epoch = this.#epoch;
    const values = await this.db.getMany(keys.map((key) => this.#prefix + key));
    // Entries were dropped meanwhile (eviction after a checkpoint, or a restore): what was read
    // may predate that checkpoint, so read again whatever is still missing.
    if (epoch !== this.#epoch) return this.prefetch(keys);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (this.#cache.has(key)) continue; // written while we were reading: the write wins
      const bytes = values[i];
      const stamp = ++this.clock.tick;
      if (bytes === undefined) {
        this.#cache.set(key, { value: undefined, keyGroup: 0, present: false, stamp });
      } else {
        const [keyGroup, value] = this.#decode(key, bytes);
        this.#cache.set(key, { value, keyGroup, present: true, stamp });
      }
    }
  }

  #encode(key: string, entry: CacheEntry<V>): Uint8Array {
    try {
      return serialize([entry.keyGroup, entry.value]);
    } catch (error) {
      throw new Error(
        `State store "${this.name}", key ${key}: the value cannot be checkpointed ` +
          `(${(error as Error).message}). State values must be structured-clonable plain data.`,
      );
    }
  }

  #decode(key: string, bytes: Uint8Array): [number, V] {
    try {
      return deserialize(bytes) as [number, V];
    } catch (error) {
      throw new Error(
        `State store "${this.name}", key ${key}: the value in LevelDB at ${this.db.location} cannot ` +
          `be read (${(error as Error).message}). The state directory is damaged or was written by ` +
          "another program; restore from a copy or start with an empty directory.",
      );
    }
  }

  #malformedKey(keyEnc: string): Error {
    return new Error(
      `State store "${this.name}": key ${JSON.stringify(keyEnc)} contains a lone UTF-16 surrogate, ` +
        "which LevelDB keys (UTF-8) cannot hold distinctly. Encode keys with canonicalKey(), " +
        "which escapes such characters.",
    );
  }

  #notPrefetched(keyEnc: string): Error {
    return new Error(
      `State store "${this.name}": key ${keyEnc} is not in the cache of the LevelDB state backend. ` +
        "Call prefetch([...keys]) with the keys of the batch (and await it) before get(); " +
        "the cache may drop unchanged keys at every checkpoint.",
    );
  }
}

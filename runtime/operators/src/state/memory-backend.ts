/**
 * The default state backend: every store is a Map in memory; checkpoints are one v8-serialized
 * snapshot of all stores plus the checkpoint meta, kept in memory or written to a directory.
 */
import { deserialize, serialize } from "node:v8";
import type { CheckpointMeta, CompletedCheckpoint, KeyedStateStore, StateBackend } from "./backend.ts";
import {
  listCheckpointIds,
  pruneCheckpoints,
  readCheckpointFile,
  writeCheckpointFile,
} from "./checkpoint-files.ts";

/** Options of {@link MemoryStateBackend}. */
export interface MemoryStateBackendOptions {
  /**
   * Directory for checkpoint files (`chk-<id>.bin`; the newest two are kept). Without it the
   * last checkpoint is kept in memory only, which survives {@link StateBackend.restore} within
   * the same process but not a process crash.
   */
  readonly checkpointDir?: string;
}

/** How many complete checkpoint files a {@link MemoryStateBackend} keeps in its directory. */
export const MEMORY_CHECKPOINTS_KEPT = 2;

const FORMAT = "tributary-memory-checkpoint";
const FORMAT_VERSION = 1;

interface Entry<V> {
  value: V;
  keyGroup: number;
}

/** The entries of one store in a checkpoint, as parallel arrays. */
interface StoreSnapshot {
  readonly keys: string[];
  readonly keyGroups: number[];
  readonly values: unknown[];
}

interface MemoryCheckpoint {
  readonly format: typeof FORMAT;
  readonly version: number;
  readonly id: number;
  readonly meta: CheckpointMeta;
  readonly stores: Record<string, StoreSnapshot>;
}

/** A keyed state store that is a Map from encoded key to value and key group. */
class MemoryKeyedStore<V> implements KeyedStateStore<V> {
  readonly entries = new Map<string, Entry<V>>();

  get(keyEnc: string): V | undefined {
    return this.entries.get(keyEnc)?.value;
  }

  set(keyEnc: string, keyGroup: number, value: V): void {
    const entry = this.entries.get(keyEnc);
    if (entry === undefined) {
      this.entries.set(keyEnc, { value, keyGroup });
    } else {
      entry.value = value;
      entry.keyGroup = keyGroup;
    }
  }

  delete(keyEnc: string): void {
    this.entries.delete(keyEnc);
  }

  prefetch(_keys: Iterable<string>): void {}

  async *keys(): AsyncIterable<string> {
    yield* [...this.entries.keys()];
  }

  snapshot(): StoreSnapshot {
    const keys: string[] = [];
    const keyGroups: number[] = [];
    const values: unknown[] = [];
    for (const [key, entry] of this.entries) {
      keys.push(key);
      keyGroups.push(entry.keyGroup);
      values.push(entry.value);
    }
    return { keys, keyGroups, values };
  }

  fill(snapshot: StoreSnapshot): void {
    this.entries.clear();
    for (let i = 0; i < snapshot.keys.length; i++) {
      this.entries.set(snapshot.keys[i]!, {
        value: snapshot.values[i] as V,
        keyGroup: snapshot.keyGroups[i]!,
      });
    }
  }
}

/**
 * Keyed state in Maps: the fastest backend, for state that fits in memory.
 *
 * A checkpoint serializes every store (each entry with its key group, SEMANTICS.md §7) and the
 * meta into one snapshot with `v8.serialize`, so values must be structured-clonable. The snapshot
 * is taken when {@link MemoryStateBackend.checkpoint} is called: later writes are not in it.
 *
 * @example
 * const backend = new MemoryStateBackend({ checkpointDir: "./checkpoints" });
 * const counts = backend.store<number>("count-by-user");
 * counts.set('"alice"', 17, 1);
 * await backend.checkpoint(1, { sourcePositions: {}, operators: {}, sinks: {} });
 * // …after a crash, in a new process:
 * const restored = await new MemoryStateBackend({ checkpointDir: "./checkpoints" }).restore();
 */
export class MemoryStateBackend implements StateBackend {
  readonly #checkpointDir: string | undefined;
  readonly #stores = new Map<string, MemoryKeyedStore<unknown>>();
  /** The last checkpoint, serialized, when there is no checkpoint directory. */
  #lastSnapshot: Uint8Array | undefined;
  /** Checkpoint writes run one after another, in call order. */
  #pending: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: MemoryStateBackendOptions = {}) {
    this.#checkpointDir = options.checkpointDir;
  }

  store<V>(name: string): KeyedStateStore<V> {
    this.#assertOpen("store");
    let store = this.#stores.get(name);
    if (store === undefined) {
      store = new MemoryKeyedStore<unknown>();
      this.#stores.set(name, store);
    }
    return store as KeyedStateStore<V>;
  }

  async checkpoint(id: number, meta: CheckpointMeta): Promise<void> {
    this.#assertOpen("checkpoint");
    assertCheckpointId(id);
    const stores: Record<string, StoreSnapshot> = {};
    for (const [name, store] of this.#stores) stores[name] = store.snapshot();
    const checkpoint: MemoryCheckpoint = { format: FORMAT, version: FORMAT_VERSION, id, meta, stores };
    // Serialize now (this part of an async function runs synchronously), so that writes after this call are not part of the checkpoint.
    const bytes = serializeCheckpoint(checkpoint);
    const dir = this.#checkpointDir;
    const write =
      dir === undefined
        ? async () => {
            this.#lastSnapshot = bytes;
          }
        : () => writeCheckpointFile(dir, id, bytes, MEMORY_CHECKPOINTS_KEPT);
    const done = this.#pending.then(write);
    this.#pending = done.catch(() => {});
    await done;
  }

  async restore(): Promise<CompletedCheckpoint | null> {
    this.#assertOpen("restore");
    await this.#pending;
    const loaded = await this.#loadNewest();
    // Nothing survives a restore but the checkpoint: with none, every store starts empty.
    for (const store of this.#stores.values()) store.entries.clear();
    if (loaded === null) return null;
    for (const [name, snapshot] of Object.entries(loaded.stores)) {
      (this.store<unknown>(name) as MemoryKeyedStore<unknown>).fill(snapshot);
    }
    return { id: loaded.id, meta: loaded.meta };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#pending;
    this.#closed = true;
    this.#stores.clear();
    this.#lastSnapshot = undefined;
  }

  async #loadNewest(): Promise<MemoryCheckpoint | null> {
    const dir = this.#checkpointDir;
    if (dir === undefined) {
      return this.#lastSnapshot === undefined
        ? null
        : decodeCheckpoint(this.#lastSnapshot, "the in-memory checkpoint");
    }
    await pruneCheckpoints(dir, MEMORY_CHECKPOINTS_KEPT);
    const id = (await listCheckpointIds(dir)).at(-1);
    if (id === undefined) return null;
    const source = `checkpoint file ${dir}/chk-${id}.bin`;
    return decodeCheckpoint(await readCheckpointFile(dir, id), source);
  }

  #assertOpen(operation: string): void {
    if (this.#closed) {
      throw new Error(`MemoryStateBackend.${operation}: the backend is closed; create a new one.`);
    }
  }
}

function decodeCheckpoint(bytes: Uint8Array, source: string): MemoryCheckpoint {
  let decoded: unknown;
  try {
    decoded = deserialize(bytes);
  } catch (error) {
    throw new Error(
      `Cannot read ${source}: ${(error as Error).message}. The file is damaged; ` +
        "delete it to restore from the previous checkpoint instead.",
    );
  }
  const checkpoint = decoded as Partial<MemoryCheckpoint> | null;
  if (checkpoint?.format !== FORMAT || checkpoint.version !== FORMAT_VERSION) {
    throw new Error(
      `Cannot read ${source}: it is not a version-${FORMAT_VERSION} Tributary memory-backend ` +
        "checkpoint. Use a checkpoint directory written by this version of Tributary, or an empty one.",
    );
  }
  return checkpoint as MemoryCheckpoint;
}

/** Checkpoint ids name files and order checkpoints: they must be non-negative safe integers. */
export function assertCheckpointId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new Error(`Checkpoint id must be a non-negative safe integer, got ${String(id)}.`);
  }
}

function serializeCheckpoint(checkpoint: MemoryCheckpoint): Uint8Array {
  try {
    return serialize(checkpoint);
  } catch (error) {
    throw new Error(
      `Checkpoint ${checkpoint.id} failed: ${(error as Error).message}. State values and checkpoint ` +
        "meta must be structured-clonable (plain data: no functions, class instances lose their prototype).",
    );
  }
}

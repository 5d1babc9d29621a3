/**
 * A LevelDB (classic-level) store of the micro-batch runner's state, versioned per batch.
 *
 * Layout (keys are strings, values v8-serialized):
 * - `m!<batchId, 12 digits>`: the metadata of every node after the batch (watermarks, counters,
 *   kernel metadata, library operator snapshots). Its presence marks the version as complete.
 * - `s!<JSON [nodeId, key]>\x01<batchId, 12 digits>`: the keyed state entry `key` of node `nodeId`
 *   as written by batch `batchId`; an empty value is a deletion. JSON escapes control characters,
 *   so `\x01` never occurs before the batch id and the versions of one key sort together, oldest
 *   first.
 *
 * Every batch writes its changed keys and its metadata in one LevelDB batch with `sync: true`, so
 * the version of batch N lands atomically and durably (before the runner writes `commits/N`).
 * The state as of batch N is, per key, the newest entry with a batch id `<= N`. Versions newer
 * than the last committed batch are deleted when the runner starts (their batch is replayed from
 * the previous committed version). After every `pruneEvery` committed batches, entries that no
 * version of the last `keep` batches needs are deleted, and so are the offset and commit log
 * entries before them.
 */
import { deserialize, serialize } from "node:v8";
import { ClassicLevel } from "classic-level";
import type { CheckpointLog } from "../log/checkpoint-log.ts";
import type { BatchStateStore, NodeVersion, StateVersionData } from "./store.ts";

const META = "m!";
const STATE = "s!";
/** The key after every `s!` key. */
const STATE_END = 's"';
const META_END = 'm"';
const SEP = "\x01";
const DELETED = new Uint8Array(0);

const pad = (id: number) => String(id).padStart(12, "0");
const metaKey = (id: number) => `${META}${pad(id)}`;
const stateKey = (nodeId: string, key: string, id: number) =>
  `${STATE}${JSON.stringify([nodeId, key])}${SEP}${pad(id)}`;

/** Splits a state key into the part naming node and key, and the batch id. */
function splitStateKey(k: string): { entry: string; id: number } {
  return { entry: k.slice(0, -13), id: Number(k.slice(-12)) };
}

export interface LevelBatchStateStoreOptions {
  /** The checkpoint log whose offset and commit entries are pruned along with old versions. */
  readonly log?: CheckpointLog;
  /** Prune every this many batches (default 32). */
  readonly pruneEvery?: number;
  /** Versions kept readable (default 3: the last committed batch and the two before it). */
  readonly keep?: number;
}

export class LevelBatchStateStore implements BatchStateStore {
  readonly #db: ClassicLevel<string, Uint8Array>;
  readonly #log: CheckpointLog | undefined;
  readonly #pruneEvery: number;
  readonly #keep: number;

  constructor(
    readonly path: string,
    options: LevelBatchStateStoreOptions = {},
  ) {
    this.#db = new ClassicLevel<string, Uint8Array>(path, { valueEncoding: "view" });
    this.#log = options.log;
    this.#pruneEvery = Math.max(1, options.pruneEvery ?? 32);
    this.#keep = Math.max(1, options.keep ?? 3);
  }

  async open(lastCommitted: number | null): Promise<void> {
    try {
      await this.#db.open();
    } catch (e) {
      throw new Error(
        `Cannot open the LevelDB state directory ${this.path}: ${(e as Error).message}. ` +
          "Check that the path is a writable directory and that no other job uses it.",
        { cause: e },
      );
    }
    if (lastCommitted === null) {
      // A fresh start (no committed batch): versions left by another run must not leak in.
      await this.#db.clear();
      return;
    }
    if ((await this.#db.get(metaKey(lastCommitted))) === undefined) {
      throw new Error(
        `LevelDB state ${this.path} has no version for batch ${lastCommitted}, the last committed batch of the checkpoint; ` +
          "it belongs to another checkpoint directory, or was pruned. Use the state directory of this checkpoint, or start with empty ones.",
      );
    }
    await this.#truncateAfter(lastCommitted);
  }

  fullAt(): boolean {
    return false; // every version is a delta: reads merge the versions per key
  }

  async write(batchId: number, _kind: "full" | "delta", version: StateVersionData): Promise<void> {
    const ops: { type: "put"; key: string; value: Uint8Array }[] = [];
    const meta: Record<string, Omit<NodeVersion, "keys">> = {};
    for (const [nodeId, node] of Object.entries(version)) {
      const { keys, ...rest } = node;
      meta[nodeId] = rest;
      for (const [key, value] of keys ?? []) {
        ops.push({
          type: "put",
          key: stateKey(nodeId, key, batchId),
          value: value === null ? DELETED : serialize(value),
        });
      }
    }
    ops.push({ type: "put", key: metaKey(batchId), value: serialize(meta) });
    await this.#db.batch(ops, { sync: true });
  }

  async load(batchId: number): Promise<StateVersionData[]> {
    return [await this.readVersion(batchId)];
  }

  /** The complete state as of batch `batchId` (every key, as a full version). */
  async readVersion(batchId: number): Promise<StateVersionData> {
    const metaBytes = await this.#db.get(metaKey(batchId));
    if (metaBytes === undefined)
      throw new Error(`LevelDB state ${this.path}: no version for batch ${batchId}`);
    const version = deserialize(metaBytes) as StateVersionData;
    let entry: string | null = null;
    let newest: Uint8Array | null = null;
    const flush = () => {
      if (entry === null || newest === null || newest.length === 0) return;
      const [nodeId, key] = JSON.parse(entry.slice(STATE.length)) as [string, string];
      version[nodeId] ??= {};
      const node = version[nodeId];
      node.keys ??= [];
      node.keys.push([key, deserialize(newest)]);
    };
    for await (const [k, value] of this.#db.iterator({ gte: STATE, lt: STATE_END })) {
      const { entry: e, id } = splitStateKey(k);
      if (e !== entry) {
        flush();
        entry = e;
        newest = null;
      }
      if (id <= batchId) newest = value;
    }
    flush();
    return version;
  }

  /** Batch ids with a complete version, ascending. */
  async versions(): Promise<number[]> {
    const ids: number[] = [];
    for await (const k of this.#db.keys({ gte: META, lt: META_END })) ids.push(Number(k.slice(META.length)));
    return ids;
  }

  async afterCommit(batchId: number): Promise<void> {
    if (batchId % this.#pruneEvery === 0) await this.prune(batchId);
  }

  /** Deletes what no version from `batchId - keep + 1` on needs. */
  async prune(batchId: number): Promise<void> {
    const floor = batchId - this.#keep + 1;
    if (floor <= 0) return;
    const dels: { type: "del"; key: string }[] = [];
    for await (const k of this.#db.keys({ gte: META, lt: metaKey(floor) }))
      dels.push({ type: "del", key: k });
    // Per key, keep the newest entry below the floor (the value as of the floor) unless it is a
    // deletion, and every entry from the floor on.
    let entry: string | null = null;
    let below: { key: string; deleted: boolean } | null = null;
    const flush = () => {
      if (below?.deleted) dels.push({ type: "del", key: below.key });
    };
    for await (const [k, value] of this.#db.iterator({ gte: STATE, lt: STATE_END })) {
      const { entry: e, id } = splitStateKey(k);
      if (e !== entry) {
        flush();
        entry = e;
        below = null;
      }
      if (id >= floor) continue;
      if (below !== null) dels.push({ type: "del", key: below.key });
      below = { key: k, deleted: value.length === 0 };
    }
    flush();
    if (dels.length > 0) await this.#db.batch(dels);
    await this.#log?.pruneBefore(floor);
  }

  /** Deletes versions newer than `batchId` (written by batches that did not commit). */
  async #truncateAfter(batchId: number): Promise<void> {
    const dels: { type: "del"; key: string }[] = [];
    for await (const k of this.#db.keys({ gt: metaKey(batchId), lt: META_END }))
      dels.push({ type: "del", key: k });
    for await (const k of this.#db.keys({ gte: STATE, lt: STATE_END }))
      if (splitStateKey(k).id > batchId) dels.push({ type: "del", key: k });
    if (dels.length > 0) await this.#db.batch(dels, { sync: true });
  }

  async close(): Promise<void> {
    if (this.#db.status === "open" || this.#db.status === "opening") await this.#db.close();
  }
}

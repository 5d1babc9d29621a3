/**
 * Where the micro-batch runner keeps its state versions (one per batch). The runner's working
 * state lives in its kernels; after each batch it hands the store the version after the batch
 * (every node's metadata, and either all keys of its keyed state or the keys the batch changed,
 * `null` for a deleted key), before the batch's commit entry is written. On restart it asks for
 * the version of the last committed batch.
 *
 * - `"memory"` (default): versions are files in the checkpoint directory (`state/<id>.full` and
 *   `state/<id>.delta`, see {@link CheckpointLog}).
 * - `{ level: DIR }`: versions live in a LevelDB database at DIR, per key and batch
 *   ({@link LevelBatchStateStore}).
 */
import type { CheckpointLog } from "../log/checkpoint-log.ts";
import { LevelBatchStateStore } from "./level-store.ts";

/** The `state` option of `runMicroBatch`. */
export type MicroBatchStateOption = "memory" | { readonly level: string };

/** A node's part of a state version: metadata, plus keyed state entries (`null` = deleted). */
export type NodeVersion = { keys?: [string, unknown][] };
/** The state version after one batch, by node id. */
export type StateVersionData = Record<string, NodeVersion>;

export interface BatchStateStore {
  /** Called once at start with the last committed batch (null = a fresh start). */
  open(lastCommitted: number | null): Promise<void>;
  /** Whether the version after `batchId` must hold every key (else only the changed keys). */
  fullAt(batchId: number): boolean;
  /** Stores the version after `batchId` atomically; it is durable when the promise resolves. */
  write(batchId: number, kind: "full" | "delta", version: StateVersionData): Promise<void>;
  /** The versions to apply in order to get the state after `batchId`. */
  load(batchId: number): Promise<StateVersionData[]>;
  /** Called after batch `batchId` is committed: drop what no restart can need any more. */
  afterCommit(batchId: number): Promise<void>;
  close(): Promise<void>;
}

/** Versions as files in the checkpoint directory: a full snapshot every `fullEvery` batches, deltas in between. */
class FileBatchStateStore implements BatchStateStore {
  constructor(
    private readonly log: CheckpointLog,
    private readonly fullEvery: number,
  ) {}
  async open(): Promise<void> {}
  fullAt(batchId: number): boolean {
    return batchId % this.fullEvery === 0;
  }
  write(batchId: number, kind: "full" | "delta", version: StateVersionData): Promise<void> {
    return this.log.writeState(batchId, kind, version);
  }
  async load(batchId: number): Promise<StateVersionData[]> {
    return (await this.log.loadState(batchId)) as StateVersionData[];
  }
  async afterCommit(batchId: number): Promise<void> {
    if (this.fullAt(batchId)) await this.log.prune(batchId);
  }
  async close(): Promise<void> {}
}

/** The store for a run with a checkpoint directory. */
export function createBatchStateStore(
  option: MicroBatchStateOption | undefined,
  log: CheckpointLog,
  fullEvery: number,
): BatchStateStore {
  if (option === undefined || option === "memory") return new FileBatchStateStore(log, fullEvery);
  return new LevelBatchStateStore(option.level, { log, pruneEvery: fullEvery });
}

/** Rejects state options the runner cannot honour, naming the option and the fix. */
export function checkStateOption(
  option: MicroBatchStateOption | undefined,
  checkpointDir: string | undefined,
): void {
  if (option === undefined || option === "memory") return;
  if (typeof option !== "object" || typeof option.level !== "string" || option.level === "") {
    throw new Error(
      `runMicroBatch: state ${JSON.stringify(option)} is not a state option; use "memory" or { level: "DIR" }.`,
    );
  }
  if (checkpointDir === undefined) {
    throw new Error(
      `runMicroBatch: state { level: ${JSON.stringify(option.level)} } needs checkpointDir (the offset and commit logs that say which state version is committed); pass checkpointDir too.`,
    );
  }
}

import type { Sink, Source } from "@tributary/connectors";
import type { DeadLetter, OperatorCounters } from "@tributary/operators";
import type { MicroBatchStateOption } from "./state/store.ts";

/**
 * When micro-batches start (Spark's triggers).
 * - `processingTime`: a batch every `intervalMs` (0 = as soon as the previous one finished), until
 *   every source partition is finished or the signal aborts.
 * - `once`: one batch with everything available now, then stop.
 * - `availableNow`: everything available now, in batches of at most `maxRowsPerBatch`, then stop.
 */
export type Trigger =
  | { readonly kind: "processingTime"; readonly intervalMs: number }
  | { readonly kind: "once" }
  | { readonly kind: "availableNow" };

export interface MicroBatchRunOptions {
  /** A bound source for every source name of the pipeline. */
  readonly sources: Readonly<Record<string, Source>>;
  /** A bound sink for every sink name of the pipeline. */
  readonly sinks: Readonly<Record<string, Sink>>;
  /** Default `{ kind: "processingTime", intervalMs: 0 }`. */
  readonly trigger?: Trigger;
  /** Upper bound of source rows per micro-batch (default 65536). */
  readonly maxRowsPerBatch?: number;
  /**
   * Directory of the write-ahead offset log (`offsets/<batchId>`), the commit log
   * (`commits/<batchId>`) and the per-batch state versions (`state/<batchId>.full|.delta`).
   * Without it the job keeps everything in memory and cannot be restarted.
   */
  readonly checkpointDir?: string;
  /**
   * Where the per-batch state versions go (needs `checkpointDir`): `"memory"` (default) keeps the
   * working state in memory and writes versions as files under `checkpointDir/state`;
   * `{ level: DIR }` writes them to a LevelDB database at DIR, per key and batch (one atomic,
   * synced LevelDB batch per micro-batch; the last 3 versions kept).
   */
  readonly state?: MicroBatchStateOption;
  /** Write a full state snapshot every this many batches (deltas in between; default 32). With `state: { level }`: prune every this many batches. */
  readonly fullSnapshotEvery?: number;
  /** fsync log and state files (default true). */
  readonly durable?: boolean;
  /** Stops the job after the current batch (committed). */
  readonly signal?: AbortSignal;
  /** Called after each committed batch; throwing stops the job like a crash (tests). */
  readonly onBatch?: (batch: BatchReport) => void | Promise<void>;
}

/** What happened in one micro-batch. */
export interface BatchReport {
  readonly batchId: number;
  readonly rows: number;
  /** Time to read and decode the input of the batch. */
  readonly readMs: number;
  /** Time in the kernels and operators. */
  readonly processMs: number;
  /** Time to log state and commit the sinks. */
  readonly commitMs: number;
  /** The lowest source watermark after the batch. */
  readonly watermark: number;
  /** True when the batch replayed the offsets of a batch that was logged but not committed. */
  readonly replayed: boolean;
}

export interface MicroBatchResult {
  /** Counters per IR node id. */
  readonly counters: Readonly<Record<string, OperatorCounters>>;
  readonly recordsIn: number;
  readonly deadLetters: number;
  readonly deadLetterSample: readonly DeadLetter[];
  /** Batches run by this invocation (a replayed batch included). */
  readonly batches: number;
  /** The last committed batch id before this run, or null for a fresh start. */
  readonly restoredFrom: number | null;
  /** Per-batch latency (ms from the start of reading to the commit): p50, p99, max. */
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly elapsedMs: number;
  /** True when every source partition was finished. */
  readonly completed: boolean;
  /** Kernels used per node id (`vectorized`, `row-wise`), for explain. */
  readonly kernels: Readonly<Record<string, string>>;
}

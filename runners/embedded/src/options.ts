import type { Sink, Source } from "@tributary/connectors";
import type { DeadLetter, OperatorCounters, StateBackend } from "@tributary/operators";

/** When the embedded runner takes checkpoints. The last one is always taken at the end of input. */
export interface CheckpointPolicy {
  /** Take a checkpoint when this much processing time passed since the last one. */
  readonly intervalMs?: number;
  /** Take a checkpoint after this many source reads (deterministic; for tests). */
  readonly everyBatches?: number;
}

/** In which order the runner reads the partitions of its sources. */
export type Schedule =
  /** Each active partition in turn. */
  | { readonly kind: "round-robin" }
  /** A seeded random partition each time, with a random read size up to the batch size. */
  | { readonly kind: "random"; readonly seed: number };

/** A snapshot of a running job, for progress bars and logs. */
export interface Progress {
  readonly recordsIn: number;
  readonly elapsedMs: number;
  /** The lowest watermark over all sources (-Infinity before any, +Infinity at the end). */
  readonly watermark: number;
  readonly checkpoints: number;
  readonly deadLetters: number;
}

export interface EmbeddedRunOptions {
  /** A bound source for every source name of the pipeline. */
  readonly sources: Readonly<Record<string, Source>>;
  /** A bound sink for every sink name of the pipeline. */
  readonly sinks: Readonly<Record<string, Sink>>;
  /**
   * Where keyed state lives and checkpoints go. Default: a fresh in-memory backend. A backend you
   * pass is not closed by the runner (so you can restore from it again); one it creates is.
   */
  readonly state?: StateBackend;
  /** Checkpoint policy; default: only the final checkpoint at the end of bounded input. */
  readonly checkpoints?: CheckpointPolicy;
  /** Items read from a partition at a time (default 1024). */
  readonly batchSize?: number;
  /** Partition read order (default round-robin). */
  readonly schedule?: Schedule;
  /** Stops the job: it takes a final checkpoint (so file sinks commit) and returns. */
  readonly signal?: AbortSignal;
  /** Called about every `progressIntervalMs` (default 250 ms) while the job runs. */
  readonly onProgress?: (progress: Progress) => void;
  readonly progressIntervalMs?: number;
  /**
   * Called after each completed checkpoint. If it throws, the job stops at once as if it had
   * crashed: no final checkpoint, no sink commit (used by crash-and-restore tests).
   */
  readonly onCheckpoint?: (checkpointId: number) => void | Promise<void>;
}

/** What a finished (or stopped) job reports. */
export interface JobResult {
  /** Counters per IR node id (sources and sinks included). */
  readonly counters: Readonly<Record<string, OperatorCounters>>;
  /** Elements read from all sources. */
  readonly recordsIn: number;
  readonly deadLetters: number;
  /** The first dead letters (at most 20), for messages when the pipeline has no dead-letter sink. */
  readonly deadLetterSample: readonly DeadLetter[];
  readonly checkpoints: number;
  /** The checkpoint the job resumed from, or null for a fresh start. */
  readonly restoredFrom: number | null;
  readonly elapsedMs: number;
  /** True when the sources were exhausted; false when the job was stopped by its signal. */
  readonly completed: boolean;
}

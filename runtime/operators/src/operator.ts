/**
 * The contract between the shared operator library and the record-at-a-time runners.
 *
 * Runners move records between operators in batches (a transport detail, like Flink's network
 * buffers); each operator still treats every record on its own, in arrival order. Between
 * batches the runner may advance the operator watermark (the minimum over the operator's inputs,
 * SEMANTICS.md §2) by calling {@link Operator.onWatermark}. The element watermark travels in
 * {@link StreamRecord.w}; lateness is judged by it, never by the operator watermark.
 */
import type { DeadLetter, MutableStreamRecord, StreamRecord } from "./record.ts";

/** Where an operator sends what it produces. */
export interface Output {
  /** Send a record to every downstream consumer of this operator. */
  emit(record: StreamRecord): void;
  /** Send an element this operator dropped as late to its late-data output (SEMANTICS.md §4). */
  late(record: StreamRecord): void;
  /** Send an element that could not be processed to the pipeline's dead-letter output. */
  deadLetter(letter: DeadLetter): void;
}

/** Per-operator accounting (SEMANTICS.md §11): every input element ends up in one of these. */
export interface OperatorCounters {
  /** Records received. */
  in: number;
  /** Records emitted downstream. */
  out: number;
  /** Records a filter rejected. */
  filtered: number;
  /**
   * Records dropped as late by a window operator, each counted once even when dropped from several
   * windows (a sliding-window record can be dropped from its older windows and kept in newer ones).
   */
  droppedLate: number;
  /** Records sent to the dead-letter output. */
  deadLettered: number;
}

export function newCounters(): OperatorCounters {
  return { in: 0, out: 0, filtered: 0, droppedLate: 0, deadLettered: 0 };
}

/** A structured-clonable value (v8.serialize): what operator snapshots and state values must be. */
export type Snapshot = unknown;

export interface Operator {
  /** The IR node this operator runs. */
  readonly nodeId: string;
  readonly counters: OperatorCounters;
  /**
   * Process records in arrival order. Returns a promise only when it must wait for I/O
   * (e.g. a disk-backed state store loading keys); the runner awaits it before the next call.
   */
  processBatch(batch: readonly StreamRecord[], out: Output): void | Promise<void>;
  /** The operator watermark rose to `watermark`: fire panes and timers that are due, free state. */
  onWatermark(watermark: number, out: Output): void | Promise<void>;
  /**
   * The watermark this operator forwards downstream when its operator watermark is `watermark`.
   * Must keep the invariant of SEMANTICS.md §2 for what it emits later (e.g. a session operator
   * forwards `watermark - 1`, because a session that fires at `W >= end + 1` emits at `end - 1`).
   */
  outputWatermark(watermark: number): number;
  /** Operator-local data that is not in a keyed state store (timers, counters), for checkpoints. */
  snapshot(): Snapshot;
  /** Restore from {@link snapshot}; keyed state stores are restored by the state backend. */
  restore(snapshot: Snapshot): void;
}

/**
 * An operator that runners may chain (as Flink chains operators): instead of emitting a new
 * record per element, it rewrites its input records in place. Only stateless one-in-one-out
 * operators (timestamps, keyBy, map, filter) implement it.
 *
 * Internal runner API. A runner may call {@link processBatchInPlace} only with records it owns
 * exclusively (see {@link MutableStreamRecord}): created for this chain, not delivered to any
 * other consumer, not kept by anyone. Its effect equals {@link Operator.processBatch} with the
 * emitted records written back into `batch`: counters, dead letters, thrown errors and the order
 * of the kept records are the same.
 */
export interface InPlaceOperator extends Operator {
  /**
   * Process `batch` in arrival order; each output is written into its input record, and the
   * records that produce no output (filtered, dead-lettered) are removed, so that afterwards
   * `batch` holds exactly the records `processBatch` would have emitted, in the same order.
   * Dead letters still go to `out.deadLetter`; `out.emit` is not called.
   */
  processBatchInPlace(batch: MutableStreamRecord[], out: Output): void;
}

/** Whether `op` can be chained with {@link InPlaceOperator.processBatchInPlace}. */
export function isInPlaceOperator(op: Operator | null): op is InPlaceOperator {
  return op !== null && typeof (op as Partial<InPlaceOperator>).processBatchInPlace === "function";
}

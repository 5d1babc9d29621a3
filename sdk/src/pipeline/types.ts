import type { z } from "zod";
import type { Duration } from "../duration.ts";
import type { OnError } from "../ir/schema.ts";

/** A window as reported in results: half-open `[start, end)`, integer ms. */
export interface WindowBounds {
  readonly start: number;
  readonly end: number;
}

/**
 * One pane of a windowed aggregate (SEMANTICS.md §5): the result `value` for `key` and `window`.
 * `pane.index` counts 0, 1, 2… per key and window; `pane.replaces` lists the session windows a
 * merged session pane supersedes.
 */
export interface WindowResult<K, V> {
  key: K;
  window: { start: number; end: number };
  value: V;
  pane: {
    index: number;
    timing: "early" | "on_time" | "late";
    replaces?: { start: number; end: number }[];
  };
}

/** Why an element went to the dead-letter output. */
export type DeadLetterReason =
  | "undecodable"
  | "schema-violation"
  | "bad-timestamp"
  | "undefined-key"
  | "user-function-threw";

/** An element that could not be processed, as `p.deadLetters()` emits it (SEMANTICS.md §11). */
export interface DeadLetterRecord {
  /** Identity of the element (for source records: source, partition, offset). */
  readonly id: readonly (string | number)[];
  /** The node that rejected it. */
  readonly nodeId: string;
  readonly reason: DeadLetterReason;
  /** What happened and what to do. */
  readonly message: string;
  /** The raw input (string line) or the element value, when there is one. */
  readonly payload: unknown;
}

/** Options of a step that runs a user function. */
export interface StepOptions {
  /** What to do when the function throws; defaults to the pipeline's `onError`. */
  readonly onError?: OnError;
  /** Node id, instead of the generated `<kind>-<n>`. Letters, digits and `_ . : -`. */
  readonly id?: string;
}

/** Options of a step whose output type changes: may describe the output with a zod schema. */
export interface TransformOptions<U> extends StepOptions {
  /** Describes the output elements (becomes the node's JSON Schema; not checked at run time). */
  readonly schema?: z.ZodType<U>;
}

/** Options of `p.source`. */
export interface SourceOptions<T> {
  /** Records that do not satisfy it go to the dead-letter output as `schema-violation`. */
  readonly schema?: z.ZodType<T>;
}

/** Options of `withTimestamps`. */
export interface TimestampOptions {
  /**
   * How far behind the largest timestamp seen the watermark stays (SEMANTICS.md §2). Omitted:
   * timestamps are assumed ascending per partition (`monotonous`).
   */
  readonly maxOutOfOrderness?: Duration;
  /** What to do when the timestamp function throws. Bad timestamps are always dead-lettered. */
  readonly onError?: OnError;
  readonly id?: string;
}

/** Early firings: panes before the on-time pane (their number is not deterministic). */
export interface EarlyFirings {
  /** Fire after every N elements of a key and window. */
  readonly everyElements?: number;
  /** Fire every so often in processing time. */
  readonly every?: Duration;
}

/** Options of a whole pipeline. */
export interface PipelineOptions {
  /** Number of key groups, the upper bound of parallelism (SEMANTICS.md §7). Default 128. */
  readonly maxParallelism?: number;
  /** Default for steps without their own `onError`. Default `"fail"`. */
  readonly onError?: OnError;
}

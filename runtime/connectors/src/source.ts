/**
 * The source contract every runner reads through. A source is split into partitions; each
 * partition is read in order by one {@link PartitionReader} and can be resumed from a
 * checkpointed {@link PartitionReader.position}. Identity of an element (SEMANTICS.md §1) is
 * `(source name, partition, offset)`.
 */
import type { JsonSchema } from "@tributary/sdk";

/**
 * One item read from a partition: a decoded value, a record that could not be decoded (the
 * runner dead-letters it, SEMANTICS.md §11), or an explicit watermark.
 *
 * Offsets are per partition and strictly increasing: for file sources the 1-based line number
 * on which the record starts, for every other source the 0-based sequence number of the element.
 * `watermark` items are emitted only by scripted test sources (`registerScriptedSource`).
 */
export type SourceItem =
  | { kind: "element"; offset: number; value: unknown }
  | { kind: "error"; offset: number; reason: "undecodable"; message: string; payload: unknown }
  | { kind: "watermark"; watermark: number };

/**
 * One column of a {@link ColumnarItems} chunk. Numbers as `Float64Array`, strings dictionary
 * encoded (`indices` into `dictionary`, which a reader may share between chunks), booleans as
 * 0/1 in a `Uint8Array`. Columns have no nulls: a reader that cannot fill a column for every
 * element does not offer {@link PartitionReader.readColumns}.
 */
export type ColumnarField =
  | { readonly type: "float64"; readonly values: Float64Array }
  | { readonly type: "dictionary"; readonly indices: Int32Array; readonly dictionary: readonly string[] }
  | { readonly type: "bool"; readonly values: Uint8Array };

/**
 * `length` consecutive elements of a partition as columns: element `i` has offset
 * `firstOffset + i` and is the object with the top-level fields `columns` (in that key order).
 */
export interface ColumnarItems {
  readonly length: number;
  readonly firstOffset: number;
  readonly columns: Readonly<Record<string, ColumnarField>>;
}

/** Reads one partition of a {@link Source}, in order. Not safe for concurrent `read` calls. */
export interface PartitionReader {
  /**
   * Up to `max` items (at least one when any is available). `[]` = nothing available right now
   * (unbounded or rate-limited sources: call again later); `null` = the partition is finished.
   */
  read(max: number): Promise<SourceItem[] | null>;
  /**
   * The resume position just after the last item returned by {@link read}, as a
   * structured-clonable value. Passing it to {@link Source.open} yields exactly the items that
   * follow. Store it in checkpoints.
   */
  position(): unknown;
  /**
   * Optional, additive columnar read (used by the micro-batch runner; `read` stays the contract
   * every runner can rely on): the same elements `read(max)` would return, as columns, when the
   * reader can produce them without building element objects (generators). Never yields errors
   * or watermarks. Same `[]` / `null` conventions as {@link read}; reads and columnar reads may
   * be mixed and advance the same position. Absent = not supported.
   */
  readColumns?(max: number): Promise<ColumnarItems | null>;
  /** Releases file handles and timers. The reader must not be used afterwards. */
  close(): Promise<void>;
}

/** A partitioned, resumable source of records, created from a URI by `createSource`. */
export interface Source {
  /** For logs and errors, e.g. `"file:data/tx.jsonl (3 partitions)"`. */
  readonly description: string;
  /** True when every partition ends (files, counted generators, memory sources). */
  readonly bounded: boolean;
  /** The number of partitions; fixed for the life of the source. */
  partitions(): Promise<number>;
  /** Opens partition `partition` (0-based) at `position` (from a checkpoint), or at its start when null. */
  open(partition: number, position: unknown | null): Promise<PartitionReader>;
}

/** What a source needs to know about the pipeline's logical source it is bound to. */
export interface SourceOptions {
  /** The source node's record schema; CSV cells are cast by `properties.<field>.type`. */
  recordSchema: JsonSchema;
  /** How to name the binding in error messages, e.g. `"--source transactions"` (optional). */
  label?: string;
}

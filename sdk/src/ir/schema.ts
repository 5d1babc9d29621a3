/**
 * The portable IR: a versioned JSON description of a pipeline that every runner and code
 * generator consumes. It says everything a runner needs except the bodies of user functions,
 * which are referenced by {@link FnRef} (source text and call site) and looked up at run time
 * in the function registry produced by the same build of the pipeline module.
 *
 * Time values are integer milliseconds. Windows are half-open `[start, end)`.
 * See `shared/SEMANTICS.md` for the meaning of every field.
 */
import { z } from "zod";

/** The IR version this build writes and reads. Bump on any incompatible change. */
export const IR_VERSION = 1 as const;

const nonNegativeInt = z.number().int().nonnegative();
const positiveInt = z.number().int().positive();
const safeInt = z.number().int().refine(Number.isSafeInteger, "must be a safe integer");

/** Where a user function was written, so code generation can find it again. */
export const CallSite = z.object({
  file: z.string().min(1),
  line: positiveInt,
  column: positiveInt,
});
export type CallSite = z.infer<typeof CallSite>;

/**
 * A reference to a user function: stable id (key into the function registry), source, call site.
 *
 * How runners call each function (value = the element's JSON value):
 * - source `validator`: `(raw) => { success: true, data } | { success: false, error: string }`
 * - timestamps `timestamp`: `(value) => number` (must return a safe integer)
 * - map `fn`: `(value) => value'`; filter `fn`: `(value) => boolean`;
 *   flatMap `fn`: `(value) => Iterable<value'>`; keyBy `key`: `(value) => key` (any JSON but undefined)
 * - aggregation `input`: `(value) => unknown`
 * - combine: `create: () => acc`, `add: (acc, input) => acc`, `merge: (a, b) => acc`, `extract: (acc) => result`
 *   (`add` receives the element value)
 */
export const FnRef = z.object({
  id: z.string().min(1),
  source: z.string(),
  callSite: CallSite.nullable(),
});
export type FnRef = z.infer<typeof FnRef>;

/** What happens when a user function throws. */
export const OnError = z.enum(["fail", "dead-letter"]);
export type OnError = z.infer<typeof OnError>;

export const WatermarkStrategy = z.discriminatedUnion("kind", [
  /** `W = max(ts seen on the partition) - maxOutOfOrdernessMs`. */
  z.object({ kind: z.literal("boundedOutOfOrderness"), maxOutOfOrdernessMs: nonNegativeInt }),
  /** The same with zero disorder. */
  z.object({ kind: z.literal("monotonous") }),
]);
export type WatermarkStrategy = z.infer<typeof WatermarkStrategy>;

export const WindowSpec = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("tumbling"), sizeMs: positiveInt, offsetMs: safeInt }),
  z.object({ kind: z.literal("sliding"), sizeMs: positiveInt, slideMs: positiveInt, offsetMs: safeInt }),
  z.object({ kind: z.literal("session"), gapMs: positiveInt }),
  z.object({ kind: z.literal("global") }),
]);
export type WindowSpec = z.infer<typeof WindowSpec>;

export const Accumulation = z.enum(["accumulating", "discarding"]);
export type Accumulation = z.infer<typeof Accumulation>;

/** Early firings before the on-time pane. Non-deterministic in count (SEMANTICS.md §5, §12). */
export const EarlyTrigger = z.object({
  everyElements: positiveInt.optional(),
  everyProcessingTimeMs: positiveInt.optional(),
});
export type EarlyTrigger = z.infer<typeof EarlyTrigger>;

/** A built-in or user aggregation (SEMANTICS.md §6). `input` extracts the aggregated value. */
export const AggregationSpec = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("count") }),
  z.object({ kind: z.literal("sum"), input: FnRef }),
  z.object({ kind: z.literal("min"), input: FnRef }),
  z.object({ kind: z.literal("max"), input: FnRef }),
  z.object({ kind: z.literal("mean"), input: FnRef }),
  z.object({ kind: z.literal("countDistinct"), input: FnRef }),
  /** Values sorted by `ts`, then identity. `input` absent means the element itself. */
  z.object({ kind: z.literal("collect"), input: FnRef.nullable() }),
  /** The `k` largest values of `input` (numbers), descending; ties broken by `ts`, then identity. */
  z.object({ kind: z.literal("topK"), k: positiveInt, input: FnRef }),
  z.object({ kind: z.literal("first"), input: FnRef.nullable() }),
  z.object({ kind: z.literal("last"), input: FnRef.nullable() }),
  z.object({
    kind: z.literal("combine"),
    create: FnRef,
    add: FnRef,
    merge: FnRef,
    extract: FnRef,
  }),
]);
export type AggregationSpec = z.infer<typeof AggregationSpec>;

/** One aggregation (value is its result) or named fields (value is an object of results). */
export const Aggregate = z.discriminatedUnion("shape", [
  z.object({ shape: z.literal("single"), aggregation: AggregationSpec }),
  z.object({ shape: z.literal("fields"), fields: z.record(z.string(), AggregationSpec) }),
]);
export type Aggregate = z.infer<typeof Aggregate>;

/** A JSON Schema document (draft 2020-12) describing a node's output elements. `{}` = any JSON. */
export const JsonSchema = z.record(z.string(), z.unknown());
export type JsonSchema = z.infer<typeof JsonSchema>;

const nodeBase = {
  /** Stable id: unique in the pipeline, the same for every build of the same pipeline code. */
  id: z.string().regex(/^[A-Za-z0-9_.:-]+$/, "use letters, digits and _ . : -"),
  /** Ids of the input nodes, in order. */
  inputs: z.array(z.string()),
  /** JSON Schema of the elements this node emits. */
  outputSchema: JsonSchema,
};

export const SourceNode = z.object({
  ...nodeBase,
  kind: z.literal("source"),
  params: z.object({
    /** Logical name, bound to a concrete connector by config (`--source NAME=URI`). */
    name: z.string().min(1),
    /** JSON Schema that every decoded record must satisfy; violations are dead-lettered. */
    recordSchema: JsonSchema,
    /** The validator built from the user's schema (zod), or null when records are not validated. */
    validator: FnRef.nullable(),
  }),
});

/** Assigns event timestamps and per-partition watermarks. Its input must be a source node. */
export const TimestampsNode = z.object({
  ...nodeBase,
  kind: z.literal("timestamps"),
  params: z.object({ timestamp: FnRef, watermark: WatermarkStrategy, onError: OnError }),
});

export const MapNode = z.object({
  ...nodeBase,
  kind: z.literal("map"),
  params: z.object({ fn: FnRef, onError: OnError }),
});
export const FilterNode = z.object({
  ...nodeBase,
  kind: z.literal("filter"),
  params: z.object({ fn: FnRef, onError: OnError }),
});
/** `fn` returns an iterable; output `i` gets identity `[...id, i]`. */
export const FlatMapNode = z.object({
  ...nodeBase,
  kind: z.literal("flatMap"),
  params: z.object({ fn: FnRef, onError: OnError }),
});
/** Sets the key of each element. `undefined` keys are dead-lettered. */
export const KeyByNode = z.object({
  ...nodeBase,
  kind: z.literal("keyBy"),
  params: z.object({ key: FnRef, onError: OnError }),
});
export const UnionNode = z.object({
  ...nodeBase,
  kind: z.literal("union"),
  params: z.object({}),
});

/**
 * Windowed aggregation of a keyed stream (a non-keyed stream is one key, `null`).
 * Emits `{ key, window: { start, end }, value, pane: { index, timing, replaces? } }`.
 */
export const WindowAggregateNode = z.object({
  ...nodeBase,
  kind: z.literal("windowAggregate"),
  params: z.object({
    window: WindowSpec,
    allowedLatenessMs: nonNegativeInt,
    early: EarlyTrigger.nullable(),
    accumulation: Accumulation,
    aggregate: Aggregate,
    onError: OnError,
  }),
});

/** The elements that the window node `inputs[0]` dropped as late (SEMANTICS.md §4). */
export const LateDataNode = z.object({
  ...nodeBase,
  kind: z.literal("lateData"),
  params: z.object({}),
});

/** Every dead-lettered element of the pipeline, as `DeadLetter` records. No inputs. */
export const DeadLettersNode = z.object({
  ...nodeBase,
  kind: z.literal("deadLetters"),
  params: z.object({}),
});

export const SinkNode = z.object({
  ...nodeBase,
  kind: z.literal("sink"),
  params: z.object({
    /** Logical name, bound to a concrete connector by config (`--sink NAME=URI`). */
    name: z.string().min(1),
  }),
});

export const IrNode = z.discriminatedUnion("kind", [
  SourceNode,
  TimestampsNode,
  MapNode,
  FilterNode,
  FlatMapNode,
  KeyByNode,
  UnionNode,
  WindowAggregateNode,
  LateDataNode,
  DeadLettersNode,
  SinkNode,
]);
export type IrNode = z.infer<typeof IrNode>;
export type IrNodeKind = IrNode["kind"];
export type IrNodeOf<K extends IrNodeKind> = Extract<IrNode, { kind: K }>;

export const PipelineIr = z.object({
  irVersion: z.literal(IR_VERSION),
  name: z.string().min(1),
  /** Module that defines the pipeline (absolute path or URL), so a worker can rebuild it. */
  module: z.string().nullable(),
  options: z.object({
    /** Number of key groups (SEMANTICS.md §7). */
    maxParallelism: positiveInt.max(32768),
    /** Default for user functions without their own setting. */
    onError: OnError,
  }),
  /** Nodes in topological order: every input id names an earlier node. */
  nodes: z.array(IrNode).min(1),
});
export type PipelineIr = z.infer<typeof PipelineIr>;

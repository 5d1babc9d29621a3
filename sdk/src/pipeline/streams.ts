/**
 * The fluent stream API. Every method appends IR nodes to the build context of the stream it is
 * called on; nothing runs here. Streams, keyed streams and windowed streams live in one module
 * because they construct each other.
 */
import {
  type AggregateSpec,
  type Aggregation,
  aggregationLowering,
  isAggregation,
} from "../aggregations/aggregation.ts";
import { captureCallSite } from "../callsite.ts";
import { type Duration, parseDuration } from "../duration.ts";
import { PipelineDefinitionError } from "../errors.ts";
import type { UserFn } from "../ir/built.ts";
import type {
  Aggregate,
  AggregationSpec,
  EarlyTrigger,
  IrNode,
  JsonSchema,
  OnError,
  WindowSpec,
} from "../ir/schema.ts";
import type { BuildContext } from "./context.ts";
import { jsonSchemaOf, windowResultSchema } from "./schemas.ts";
import type { EarlyFirings, StepOptions, TimestampOptions, TransformOptions, WindowResult } from "./types.ts";

/** What a stream knows about the node that produces it. Internal. */
export interface StreamState {
  readonly ctx: BuildContext;
  readonly nodeId: string;
  readonly schema: JsonSchema;
  /** Where elements without event timestamps come from (e.g. `source "clicks"`); empty when all are timed. */
  readonly untimed: readonly string[];
  /** The source name when this stream is a source's output (only then may `withTimestamps` follow). */
  readonly sourceName: string | null;
}

function requireFunction(fn: unknown, what: string, example: string): asserts fn is UserFn {
  if (typeof fn !== "function") {
    throw new PipelineDefinitionError(
      `${what}: expected a function, got ${typeof fn}; pass e.g. ${example}`,
      {
        field: what,
        hint: `pass a function such as ${example}`,
      },
    );
  }
}

function onErrorOf(ctx: BuildContext, opts: { onError?: OnError } | undefined, what: string): OnError {
  const value = opts?.onError ?? ctx.options.onError;
  if (value !== "fail" && value !== "dead-letter") {
    throw new PipelineDefinitionError(
      `${what}: onError ${JSON.stringify(value)} is not allowed; use "fail" or "dead-letter"`,
      { field: `${what} onError`, hint: 'use "fail" or "dead-letter"' },
    );
  }
  return value;
}

/** Appends a node with one user function (`role`) to the context; returns the new stream's state. */
function addFnNode(
  state: StreamState,
  kind: "map" | "filter" | "flatMap" | "keyBy",
  fn: UserFn,
  opts: (StepOptions & { schema?: unknown }) | undefined,
  schema: JsonSchema,
): StreamState {
  const { ctx } = state;
  const id = ctx.allocateId(kind, opts?.id, kind);
  const callSite = captureCallSite();
  const onError = onErrorOf(ctx, opts, kind);
  const role = kind === "keyBy" ? "key" : "fn";
  const ref = ctx.register(id, role, fn, callSite);
  const params = kind === "keyBy" ? { key: ref, onError } : { fn: ref, onError };
  ctx.addNode({ id, kind, inputs: [state.nodeId], outputSchema: schema, params } as IrNode);
  return { ctx, nodeId: id, schema, untimed: state.untimed, sourceName: null };
}

function outputSchemaOf(opts: TransformOptions<unknown> | undefined, what: string): JsonSchema {
  if (opts?.schema === undefined) return {};
  try {
    return jsonSchemaOf(opts.schema, "output");
  } catch (error) {
    throw new PipelineDefinitionError(
      `${what}: the output schema cannot be turned into JSON Schema (${String(error)}); ` +
        "pass a plain zod object/array/primitive schema or omit it",
      { field: `${what} schema`, hint: "omit schema or simplify it" },
    );
  }
}

/** Fails when a time window is applied to elements without event timestamps. */
function requireTimestamps(state: StreamState, window: WindowSpec): void {
  if (window.kind === "global" || state.untimed.length === 0) return;
  const origins = state.untimed.join(", ");
  throw new PipelineDefinitionError(
    `${window.kind} window: the stream comes from ${origins}, which has no event timestamps; ` +
      'call .withTimestamps((r) => r.ts, { maxOutOfOrderness: "5s" }) on the source before windowing, ' +
      "or use global()",
    {
      field: `${window.kind} window`,
      hint: "add .withTimestamps(fn, { maxOutOfOrderness }) right after p.source(...)",
    },
  );
}

/**
 * A stream of elements of type `T`, each carrying a key of type `K` (`null` until `keyBy`).
 * Keys survive `map`, `filter`, `flatMap` and windowed aggregation, as the runtime keeps them;
 * `window` groups by the key the elements carry.
 *
 * @example
 * ```ts
 * p.source("orders", { schema: Order })
 *   .withTimestamps((o) => o.ts, { maxOutOfOrderness: "10s" })
 *   .filter((o) => o.total > 0)
 *   .map((o) => ({ id: o.id, cents: Math.round(o.total * 100) }))
 *   .sink("clean-orders");
 * ```
 */
export class Stream<T, K = null> {
  /** @internal */
  protected readonly state: StreamState;

  /** @internal Streams are created by `p.source(...)` and the methods of other streams. */
  constructor(state: StreamState) {
    this.state = state;
  }

  /** Id of the IR node that produces this stream. */
  get nodeId(): string {
    return this.state.nodeId;
  }

  /**
   * Assigns event timestamps (integer ms) and watermarks. Only directly on `p.source(...)`.
   * Elements whose timestamp is not a safe integer go to the dead-letter output.
   */
  withTimestamps(fn: (value: T) => number, opts: TimestampOptions = {}): Stream<T, K> {
    const { ctx, sourceName } = this.state;
    ctx.checkOpen("withTimestamps");
    if (sourceName === null) {
      throw new PipelineDefinitionError(
        `withTimestamps: node "${this.state.nodeId}" is not a source; timestamps are assigned where ` +
          'records enter the pipeline: call p.source("name").withTimestamps(fn, { maxOutOfOrderness }) ' +
          "and build the rest of the pipeline on its result",
        { field: "withTimestamps", hint: "call withTimestamps directly on the stream p.source(...) returns" },
      );
    }
    requireFunction(fn, "withTimestamps timestamp", "(r) => r.ts");
    const id = ctx.allocateId("timestamps", opts.id, "withTimestamps");
    const callSite = captureCallSite();
    const watermark =
      opts.maxOutOfOrderness === undefined
        ? ({ kind: "monotonous" } as const)
        : {
            kind: "boundedOutOfOrderness" as const,
            maxOutOfOrdernessMs: parseDuration(opts.maxOutOfOrderness, "withTimestamps maxOutOfOrderness"),
          };
    const onError = onErrorOf(ctx, opts, "withTimestamps");
    const timestamp = ctx.register(id, "timestamp", fn, callSite);
    ctx.addNode({
      id,
      kind: "timestamps",
      inputs: [this.state.nodeId],
      outputSchema: this.state.schema,
      params: { timestamp, watermark, onError },
    });
    return new Stream<T, K>({ ctx, nodeId: id, schema: this.state.schema, untimed: [], sourceName: null });
  }

  /** Transforms each element. */
  map<U>(fn: (value: T) => U, opts?: TransformOptions<U>): Stream<U, K> {
    this.state.ctx.checkOpen("map");
    requireFunction(fn, "map", "(x) => ({ ...x, total: x.a + x.b })");
    return new Stream<U, K>(addFnNode(this.state, "map", fn, opts, outputSchemaOf(opts, "map")));
  }

  /** Keeps the elements for which `fn` returns true. */
  filter<S extends T>(fn: (value: T) => value is S, opts?: StepOptions): Stream<S, K>;
  filter(fn: (value: T) => boolean, opts?: StepOptions): Stream<T, K>;
  filter(fn: (value: T) => boolean, opts?: StepOptions): Stream<T, K> {
    this.state.ctx.checkOpen("filter");
    requireFunction(fn, "filter", "(x) => x.amount > 0");
    return new Stream<T, K>(addFnNode(this.state, "filter", fn, opts, this.state.schema));
  }

  /** Replaces each element by the elements of the iterable `fn` returns (zero or more). */
  flatMap<U>(fn: (value: T) => Iterable<U>, opts?: TransformOptions<U>): Stream<U, K> {
    this.state.ctx.checkOpen("flatMap");
    requireFunction(fn, "flatMap", "(line) => line.split(' ')");
    return new Stream<U, K>(addFnNode(this.state, "flatMap", fn, opts, outputSchemaOf(opts, "flatMap")));
  }

  /**
   * Keys the stream by `fn(element)` (any JSON value; `undefined` is dead-lettered), replacing
   * any previous key. Keys are compared by canonical JSON encoding.
   */
  keyBy<K2>(fn: (value: T) => K2, opts?: StepOptions): KeyedStream<T, K2> {
    this.state.ctx.checkOpen("keyBy");
    requireFunction(fn, "keyBy", "(x) => x.customerId");
    return new Stream<T, K2>(addFnNode(this.state, "keyBy", fn, opts, this.state.schema));
  }

  /** Merges this stream with others of the same element type. */
  union<K2 = K>(...others: Stream<T, K2>[]): Stream<T, K | K2> {
    const { ctx } = this.state;
    ctx.checkOpen("union");
    if (others.length === 0) {
      throw new PipelineDefinitionError("union: needs at least one other stream; pass e.g. a.union(b)", {
        field: "union",
        hint: "pass the streams to merge with this one",
      });
    }
    const states = [this.state, ...others.map((o) => o.state)];
    if (states.some((s) => s.ctx !== ctx)) {
      throw new PipelineDefinitionError(
        "union: all streams must belong to the same pipeline build; create them in the same define function",
        { field: "union", hint: "build every stream inside one pipeline(name, define) callback" },
      );
    }
    const id = ctx.allocateId("union", undefined, "union");
    const first = JSON.stringify(this.state.schema);
    const same = states.every((s) => JSON.stringify(s.schema) === first);
    const schema = same ? this.state.schema : { anyOf: states.map((s) => s.schema) };
    ctx.addNode({ id, kind: "union", inputs: states.map((s) => s.nodeId), outputSchema: schema, params: {} });
    const untimed = [...new Set(states.flatMap((s) => s.untimed))];
    return new Stream<T, K | K2>({ ctx, nodeId: id, schema, untimed, sourceName: null });
  }

  /**
   * Groups each key's elements into windows (a stream that was never keyed is one key, `null`).
   * @example `txns.keyBy((t) => t.customerId).window(tumbling("5m")).aggregate(count())`
   */
  window(spec: WindowSpec): WindowedStream<T, K> {
    this.state.ctx.checkOpen("window");
    requireTimestamps(this.state, spec);
    return new WindowedStream<T, K>(this.state, initialWindowConfig(spec));
  }

  /**
   * Writes the stream to the sink `name` (bound to a connector when the pipeline runs). Node id
   * `sink:<name>`; each sink name may be used once.
   */
  sink(name: string): void {
    const { ctx } = this.state;
    ctx.checkOpen("sink");
    const id = ctx.allocateId("sink", `sink:${checkName(name, "sink")}`, `sink "${name}"`);
    ctx.addNode({
      id,
      kind: "sink",
      inputs: [this.state.nodeId],
      outputSchema: this.state.schema,
      params: { name },
    });
  }
}

/** Checks a source or sink name (it becomes part of a node id). */
export function checkName(name: string, what: "source" | "sink"): string {
  if (typeof name !== "string" || !/^[A-Za-z0-9_.:-]+$/.test(name)) {
    throw new PipelineDefinitionError(
      `${what} name ${JSON.stringify(name)} is not allowed; use a non-empty name of letters, digits and _ . : -`,
      { field: `${what} name`, hint: `e.g. ${what === "source" ? '"transactions"' : '"alerts"'}` },
    );
  }
  return name;
}

/** A stream whose elements carry a key of type `K`, as `keyBy` returns it. */
export type KeyedStream<T, K> = Stream<T, K>;

/** Window settings collected before `aggregate`. Internal. */
export interface WindowConfig {
  readonly window: WindowSpec;
  readonly allowedLatenessMs: number;
  readonly early: EarlyTrigger | null;
  readonly accumulation: "accumulating" | "discarding";
}

function initialWindowConfig(window: WindowSpec): WindowConfig {
  if (typeof window !== "object" || window === null || !("kind" in window)) {
    throw new PipelineDefinitionError(
      'window: expected a window such as tumbling("5m"), sliding("1h", "5m"), session("30m") or global()',
      { field: "window", hint: "import tumbling, sliding, session or global from @tributary/sdk" },
    );
  }
  return { window, allowedLatenessMs: 0, early: null, accumulation: "accumulating" };
}

/**
 * A windowed stream, waiting for `aggregate`. Settings return a new windowed stream.
 *
 * @example
 * ```ts
 * keyed.window(session("30m")).allowedLateness("1m").discarding().aggregate({ n: count() })
 * ```
 */
export class WindowedStream<T, K> {
  readonly #input: StreamState;
  readonly #config: WindowConfig;
  /** Phantom: element and key types. */
  declare readonly types?: { readonly element: (value: T) => void; readonly key: K };

  /** @internal */
  constructor(input: StreamState, config: WindowConfig) {
    this.#input = input;
    this.#config = config;
  }

  /** Accept elements up to `lateness` behind the watermark, emitting late panes (SEMANTICS.md §4). */
  allowedLateness(lateness: Duration): WindowedStream<T, K> {
    const ms = parseDuration(lateness, "allowedLateness");
    return new WindowedStream(this.#input, { ...this.#config, allowedLatenessMs: ms });
  }

  /** Emit early panes every N elements and/or every so often (processing time). */
  earlyFirings(firings: EarlyFirings): WindowedStream<T, K> {
    const early: { everyElements?: number; everyProcessingTimeMs?: number } = {};
    if (firings?.everyElements !== undefined) {
      if (!Number.isSafeInteger(firings.everyElements) || firings.everyElements < 1) {
        throw new PipelineDefinitionError(
          `earlyFirings everyElements: ${String(firings.everyElements)} is not a positive integer; pass e.g. 100`,
          { field: "earlyFirings everyElements", hint: "use a whole number ≥ 1" },
        );
      }
      early.everyElements = firings.everyElements;
    }
    if (firings?.every !== undefined) {
      const ms = parseDuration(firings.every, "earlyFirings every");
      if (ms === 0) {
        throw new PipelineDefinitionError('earlyFirings every: must be greater than 0; pass e.g. "10s"', {
          field: "earlyFirings every",
          hint: "use a positive duration",
        });
      }
      early.everyProcessingTimeMs = ms;
    }
    if (early.everyElements === undefined && early.everyProcessingTimeMs === undefined) {
      throw new PipelineDefinitionError(
        'earlyFirings: give everyElements, every, or both, e.g. earlyFirings({ every: "10s" })',
        { field: "earlyFirings", hint: "set everyElements or every" },
      );
    }
    return new WindowedStream(this.#input, { ...this.#config, early });
  }

  /** Each pane holds only what arrived since the previous pane. */
  discarding(): WindowedStream<T, K> {
    return new WindowedStream(this.#input, { ...this.#config, accumulation: "discarding" });
  }

  /** Each pane holds everything so far (the default). */
  accumulating(): WindowedStream<T, K> {
    return new WindowedStream(this.#input, { ...this.#config, accumulation: "accumulating" });
  }

  /**
   * Aggregates each key and window. Pass one aggregation (value = its result) or an object of
   * named aggregations (value = an object of results).
   *
   * @example
   * ```ts
   * .aggregate({ spend: sum((t) => t.amount), n: count() }) // value: { spend: number; n: number }
   * ```
   */
  aggregate<V>(spec: AggregateSpec<T, V>, opts?: StepOptions): WindowResultStream<K, V, T> {
    const input = this.#input;
    const { ctx } = input;
    ctx.checkOpen("aggregate");
    const id = ctx.allocateId("windowAggregate", opts?.id, "aggregate");
    const { aggregate, valueSchema } = lowerAggregate(spec, (field, agg) =>
      agg[aggregationLowering].lower((part, fn, callSite) =>
        ctx.register(id, `agg.${field}.${part}`, fn, callSite),
      ),
    );
    const schema = windowResultSchema(valueSchema);
    const { window, allowedLatenessMs, early, accumulation } = this.#config;
    ctx.addNode({
      id,
      kind: "windowAggregate",
      inputs: [input.nodeId],
      outputSchema: schema,
      params: {
        window,
        allowedLatenessMs,
        early,
        accumulation,
        aggregate,
        onError: onErrorOf(ctx, opts, "aggregate"),
      },
    });
    return new WindowResultStream<K, V, T>(
      { ctx, nodeId: id, schema, untimed: input.untimed, sourceName: null },
      input,
    );
  }
}

function lowerAggregate(
  spec: unknown,
  lower: (field: string, agg: Aggregation<never, unknown>) => AggregationSpec,
): { aggregate: Aggregate; valueSchema: JsonSchema } {
  if (isAggregation(spec)) {
    return {
      aggregate: { shape: "single", aggregation: lower("value", spec) },
      valueSchema: spec[aggregationLowering].resultSchema,
    };
  }
  const entries = typeof spec === "object" && spec !== null ? Object.entries(spec) : [];
  if (entries.length === 0) {
    throw new PipelineDefinitionError(
      "aggregate: expected an aggregation or an object of named aggregations, e.g. " +
        "aggregate(count()) or aggregate({ spend: sum((t) => t.amount), n: count() })",
      { field: "aggregate", hint: "pass count(), sum(fn), … or an object of them" },
    );
  }
  const fields: Record<string, AggregationSpec> = {};
  const properties: Record<string, JsonSchema> = {};
  for (const [field, agg] of entries) {
    if (!isAggregation(agg)) {
      throw new PipelineDefinitionError(
        `aggregate field "${field}": not an aggregation; use count(), sum(fn), min(fn), max(fn), mean(fn), ` +
          "countDistinct(fn), collect(fn?), topK(k, fn), first(fn?), last(fn?) or combine({...})",
        { field: `aggregate.${field}`, hint: "build each field with one of the aggregation functions" },
      );
    }
    fields[field] = lower(field, agg);
    properties[field] = agg[aggregationLowering].resultSchema;
  }
  return {
    aggregate: { shape: "fields", fields },
    valueSchema: { type: "object", properties, required: Object.keys(fields) },
  };
}

/**
 * The results of a windowed aggregate: one {@link WindowResult} per pane. `lateData()` gives the
 * input elements the window dropped as too late.
 */
export class WindowResultStream<K, V, T> extends Stream<WindowResult<K, V>, K> {
  readonly #input: StreamState;

  /** @internal */
  constructor(state: StreamState, input: StreamState) {
    super(state);
    this.#input = input;
  }

  /** The elements this window dropped as late (SEMANTICS.md §4), as a stream. */
  lateData(): Stream<T, K> {
    const { ctx } = this.state;
    ctx.checkOpen("lateData");
    const id = ctx.allocateId("lateData", undefined, "lateData");
    ctx.addNode({
      id,
      kind: "lateData",
      inputs: [this.state.nodeId],
      outputSchema: this.#input.schema,
      params: {},
    });
    return new Stream<T, K>({
      ctx,
      nodeId: id,
      schema: this.#input.schema,
      untimed: this.#input.untimed,
      sourceName: null,
    });
  }
}

/** fast-check arbitraries for generated pipelines ({@link PipelineSpec}). */
import type { OnError, WindowSpec } from "@tributary/sdk";
import fc from "fast-check";
import {
  COMBINERS,
  FILTER_FNS,
  FLATMAP_FNS,
  INPUT_FNS,
  type InputFnName,
  KEY_FNS,
  names,
  TIMESTAMP_FNS,
} from "./fn-library.ts";
import type {
  AggregateDesc,
  AggregationDesc,
  PipelineSpec,
  SourceSpec,
  StatelessStep,
  WindowStageSpec,
} from "./pipeline-spec.ts";

/** Mostly dead-letter: `fail` makes most runs end in a job failure. */
const onErrorArb: fc.Arbitrary<OnError> = fc.oneof(
  { weight: 5, arbitrary: fc.constant("dead-letter" as const) },
  { weight: 1, arbitrary: fc.constant("fail" as const) },
);

const stepArb: fc.Arbitrary<StatelessStep> = fc.oneof(
  fc.record({
    op: fc.constant("map" as const),
    fn: fc.constantFrom(
      "double value",
      "add 0.1 to value",
      "bucket key by mod 3",
      "throw if value divisible by 7" as const,
    ),
    onError: onErrorArb,
  }),
  fc.record({
    op: fc.constant("filter" as const),
    fn: fc.constantFrom(...names(FILTER_FNS)),
    onError: onErrorArb,
  }),
  fc.record({
    op: fc.constant("flatMap" as const),
    fn: fc.constantFrom(...names(FLATMAP_FNS)),
    onError: onErrorArb,
  }),
);

const stepsArb = fc.array(stepArb, { maxLength: 3 });

const sourceArb = (name: string): fc.Arbitrary<SourceSpec> =>
  fc.record({
    name: fc.constant(name),
    validator: fc.option(fc.constant("requires numeric v" as const), { freq: 2 }),
    timestamps: fc.option(
      fc.record({
        fn: fc.constantFrom(...names(TIMESTAMP_FNS)),
        watermark: fc.oneof(
          fc.record({
            kind: fc.constant("boundedOutOfOrderness" as const),
            maxOutOfOrdernessMs: fc.integer({ min: 0, max: 40 }),
          }),
          fc.constant({ kind: "monotonous" as const }),
        ),
        onError: onErrorArb,
      }),
      { freq: 8 },
    ),
    steps: fc.array(stepArb, { maxLength: 2 }),
  });

/** Window specs with small sizes and offsets (negative ones included). */
export const windowSpecArb: fc.Arbitrary<WindowSpec> = fc.oneof(
  fc.record({
    kind: fc.constant("tumbling" as const),
    sizeMs: fc.integer({ min: 1, max: 50 }),
    offsetMs: fc.integer({ min: -60, max: 60 }),
  }),
  fc
    .record({
      kind: fc.constant("sliding" as const),
      sizeMs: fc.integer({ min: 1, max: 50 }),
      slideMs: fc.integer({ min: 1, max: 50 }),
      offsetMs: fc.integer({ min: -60, max: 60 }),
    })
    .map((w) => ({ ...w, slideMs: Math.min(w.slideMs, w.sizeMs) })),
  fc.record({ kind: fc.constant("session" as const), gapMs: fc.integer({ min: 1, max: 40 }) }),
  fc.constant({ kind: "global" as const }),
);

const inputFnArb = fc.constantFrom<InputFnName>("v field", "v field rounded", "v divided by 10");

const aggregationArb: fc.Arbitrary<AggregationDesc> = fc.oneof(
  fc.constant({ kind: "count" as const }),
  fc.record({
    kind: fc.constantFrom("sum" as const, "min" as const, "max" as const, "mean" as const),
    input: inputFnArb,
  }),
  fc.record({ kind: fc.constant("countDistinct" as const), input: fc.constantFrom(...names(INPUT_FNS)) }),
  fc.record({
    kind: fc.constantFrom("collect" as const, "first" as const, "last" as const),
    input: fc.option(fc.constantFrom(...names(INPUT_FNS))),
  }),
  fc.record({ kind: fc.constant("topK" as const), k: fc.integer({ min: 1, max: 4 }), input: inputFnArb }),
  fc.record({ kind: fc.constant("combine" as const), combiner: fc.constantFrom(...names(COMBINERS)) }),
);

/** Aggregations whose discarding panes the final view can merge exactly (integer sums only). */
const mergeableAggregationArb: fc.Arbitrary<AggregationDesc> = fc.oneof(
  fc.constant({ kind: "count" as const }),
  fc.record({ kind: fc.constant("sum" as const), input: fc.constant("v field rounded" as const) }),
  fc.record({ kind: fc.constantFrom("min" as const, "max" as const), input: inputFnArb }),
);

const aggregateArb = (agg: fc.Arbitrary<AggregationDesc>): fc.Arbitrary<AggregateDesc> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ shape: fc.constant("single" as const), aggregation: agg }) },
    {
      weight: 1,
      arbitrary: fc.record({
        shape: fc.constant("fields" as const),
        fields: fc.record({ a: agg, b: agg }, { requiredKeys: ["a"] }),
      }),
    },
  );

const keyByArb = fc.option(fc.record({ fn: fc.constantFrom(...names(KEY_FNS)), onError: onErrorArb }), {
  freq: 4,
});

/**
 * A window stage. With `deterministicPanes`, L = 0 and no early firings (one pane per window), as
 * needed for anything downstream of the window (SEMANTICS.md §12).
 */
export function windowStageArb(deterministicPanes: boolean): fc.Arbitrary<WindowStageSpec> {
  const lateness = deterministicPanes
    ? fc.constant(0)
    : fc.oneof(
        { weight: 2, arbitrary: fc.constant(0) },
        { weight: 3, arbitrary: fc.integer({ min: 1, max: 40 }) },
      );
  const early = deterministicPanes
    ? fc.constant(null)
    : fc.option(fc.record({ everyElements: fc.integer({ min: 1, max: 5 }) }), { freq: 4 });
  return fc
    .record({
      keyBy: keyByArb,
      window: windowSpecArb,
      allowedLatenessMs: lateness,
      early,
      accumulation: fc.constantFrom("accumulating" as const, "discarding" as const),
      aggregate: aggregateArb(aggregationArb),
      mergeable: aggregateArb(mergeableAggregationArb),
      onError: onErrorArb,
    })
    .map(({ mergeable, ...stage }) => {
      // Discarding panes can be merged exactly only for some aggregations: use one of those
      // whenever a window may have more than one pane.
      const multiPane = stage.allowedLatenessMs > 0 || stage.early !== null;
      return stage.accumulation === "discarding" && multiPane ? { ...stage, aggregate: mergeable } : stage;
    });
}

/** Generated pipelines: 1–2 sources, stateless chains, one or two window stages, side outputs. */
export const pipelineSpecArb: fc.Arbitrary<PipelineSpec> = fc
  .record({
    onError: onErrorArb,
    sources: fc.oneof(
      fc.tuple(sourceArb("a")),
      fc.tuple(sourceArb("a"), sourceArb("b")).map((s): SourceSpec[] => s),
    ) as fc.Arbitrary<SourceSpec[]>,
    steps: stepsArb,
    window: windowStageArb(false),
    lateDataSink: fc.boolean(),
    deadLetterSink: fc.boolean(),
    downstream: fc.option(fc.record({ steps: stepsArb, window: fc.option(windowStageArb(true)) }), {
      freq: 3,
    }),
  })
  .map((spec) => {
    const deterministic = spec.window.allowedLatenessMs === 0 && spec.window.early === null;
    return deterministic ? spec : { ...spec, downstream: null };
  });

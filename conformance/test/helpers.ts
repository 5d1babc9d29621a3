import { buildPipeline, type PipelineSpec, type WindowStageSpec } from "../src/index.ts";

/** A one-source pipeline spec with timestamps from `t`, keyed by `k`, for hand-worked examples. */
export function simpleSpec(window: Partial<WindowStageSpec>, maxOutOfOrdernessMs = 0): PipelineSpec {
  return {
    onError: "dead-letter",
    sources: [
      {
        name: "a",
        validator: "requires numeric v",
        timestamps: {
          fn: "t field",
          watermark: { kind: "boundedOutOfOrderness", maxOutOfOrdernessMs },
          onError: "dead-letter",
        },
        steps: [],
      },
    ],
    steps: [],
    window: {
      keyBy: { fn: "k field", onError: "dead-letter" },
      window: { kind: "tumbling", sizeMs: 10, offsetMs: 0 },
      allowedLatenessMs: 0,
      early: null,
      accumulation: "accumulating",
      aggregate: { shape: "single", aggregation: { kind: "count" } },
      onError: "dead-letter",
      ...window,
    },
    lateDataSink: true,
    deadLetterSink: true,
    downstream: null,
  };
}

export const built = (spec: PipelineSpec) => buildPipeline(spec);

/** JSON Lines of `{k, v, t}` records. */
export const lines = (...records: [k: number, v: number, t: number][]) =>
  records.map(([k, v, t]) => JSON.stringify({ k, v, t }));

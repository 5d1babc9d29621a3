import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AggregationDesc,
  buildPipeline,
  canonicalFinalView,
  inputSpecArb,
  type PipelineSpec,
  pipelineSpecArb,
  type ReferenceResult,
  referenceRun,
  renderInput,
  type WindowStageSpec,
} from "../../src/index.ts";

/** Identities change when lines move: keep only aggregations that ignore them, and no dead-letter sink. */
function identityFree(spec: PipelineSpec, huge: boolean): PipelineSpec {
  const agg = (a: AggregationDesc): AggregationDesc =>
    a.kind === "collect" || a.kind === "first" || a.kind === "last" ? { kind: "count" } : a;
  const stage = (s: WindowStageSpec): WindowStageSpec => ({
    ...s,
    aggregate:
      s.aggregate.shape === "single"
        ? { shape: "single", aggregation: agg(s.aggregate.aggregation) }
        : {
            shape: "fields",
            fields: Object.fromEntries(Object.entries(s.aggregate.fields).map(([k, v]) => [k, agg(v)])),
          },
  });
  return {
    ...spec,
    deadLetterSink: false,
    window: stage(spec.window),
    downstream: spec.downstream && {
      ...spec.downstream,
      window: spec.downstream.window && stage(spec.downstream.window),
    },
    sources: spec.sources.map((s) => ({
      ...s,
      timestamps:
        huge && s.timestamps !== null
          ? {
              ...s.timestamps,
              watermark: { kind: "boundedOutOfOrderness", maxOutOfOrdernessMs: 1_000_000_000 },
            }
          : s.timestamps,
    })),
  };
}

const outcome = (r: ReferenceResult) => (r.status === "completed" ? canonicalFinalView(r.view) : "failed");

const caseArb = (huge: boolean) =>
  fc
    .tuple(pipelineSpecArb, inputSpecArb({ sources: [{ name: "a" }, { name: "b" }] } as PipelineSpec))
    .map(([spec, input]) => ({
      spec: identityFree(spec, huge),
      input,
    }));

describe("metamorphic properties of the reference model", () => {
  it("reordering the partitions of a source does not change the final view", () => {
    fc.assert(
      fc.property(caseArb(false), fc.integer(), ({ spec, input }, rotation) => {
        const built = buildPipeline(spec);
        const lines = renderInput(input);
        const rotated = Object.fromEntries(
          Object.entries(lines).map(([name, ps]) => {
            const r = ((rotation % ps.length) + ps.length) % ps.length;
            return [name, [...ps.slice(r), ...ps.slice(0, r)].reverse()];
          }),
        );
        expect(outcome(referenceRun(built, rotated))).toBe(outcome(referenceRun(built, lines)));
      }),
      { numRuns: 150 },
    );
  });

  it("with lateness impossible, permuting lines within a partition does not change the final view", () => {
    fc.assert(
      fc.property(caseArb(true), fc.integer({ min: 1 }), ({ spec, input }, seed) => {
        const built = buildPipeline(spec);
        const lines = renderInput(input);
        const permuted = Object.fromEntries(
          Object.entries(lines).map(([name, ps]) => [
            name,
            ps.map((p) =>
              [...p]
                .map((l, i) => ({ l, r: (Math.imul(i + 1, seed) >>> 0) % 1009 }))
                .sort((a, b) => a.r - b.r)
                .map((x) => x.l),
            ),
          ]),
        );
        expect(outcome(referenceRun(built, permuted))).toBe(outcome(referenceRun(built, lines)));
      }),
      { numRuns: 150 },
    );
  });
});

import { PipelineIr } from "@tributary/sdk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildPipeline,
  executionPlanArb,
  formatCounterexample,
  pipelineSpecArb,
  referenceRun,
  renderInput,
  sampleArb,
} from "../../src/index.ts";

function fnRefIds(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return [];
  const r = value as Record<string, unknown>;
  const own = typeof r["id"] === "string" && "callSite" in r ? [r["id"]] : [];
  return [...own, ...Object.values(r).flatMap(fnRefIds)];
}

describe("generators", () => {
  it("every generated pipeline is valid IR, topologically ordered, with every function registered", () => {
    fc.assert(
      fc.property(pipelineSpecArb, (spec) => {
        const built = buildPipeline(spec);
        expect(() => PipelineIr.parse(built.ir)).not.toThrow();
        const seen = new Set<string>();
        for (const node of built.ir.nodes) {
          for (const input of node.inputs) expect(seen.has(input)).toBe(true);
          expect(seen.has(node.id)).toBe(false);
          seen.add(node.id);
          for (const id of fnRefIds(node.params)) {
            expect(id.startsWith(`${node.id}.`)).toBe(true);
            expect(built.fns.has(id)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("windows feeding further operators have L = 0 and no early firings", () => {
    fc.assert(
      fc.property(pipelineSpecArb, (spec) => {
        if (spec.downstream !== null) {
          expect(spec.window.allowedLatenessMs).toBe(0);
          expect(spec.window.early).toBeNull();
        }
      }),
    );
  });

  it("plans stay within their bounds", () => {
    fc.assert(
      fc.property(executionPlanArb, (plan) => {
        expect(plan.parallelism).toBeGreaterThanOrEqual(1);
        expect(plan.parallelism).toBeLessThanOrEqual(8);
        expect(plan.batchSize).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it("inputs exercise late data, dead letters and several partitions", () => {
    const samples = fc.sample(sampleArb, { numRuns: 200, seed: 1 });
    let late = 0;
    let deadLetters = 0;
    let multiPartition = 0;
    for (const s of samples) {
      const built = buildPipeline(s.spec);
      const r = referenceRun(built, renderInput(s.input));
      if (r.status !== "completed") continue;
      if (Object.values(r.counters).some((c) => c.droppedLate > 0)) late++;
      if (r.deadLetters.length > 0) deadLetters++;
      if (Object.values(s.input).some((ps) => ps.length > 1)) multiPartition++;
    }
    expect(late).toBeGreaterThan(10);
    expect(deadLetters).toBeGreaterThan(50);
    expect(multiPartition).toBeGreaterThan(50);
  });

  it("counterexamples print as a vitest test with the pipeline description", () => {
    const [sample] = fc.sample(sampleArb, { numRuns: 1, seed: 5 });
    const text = formatCounterexample(sample!.spec, sample!.input, sample!.plan);
    expect(text).toContain('it("conformance counterexample"');
    expect(text).toContain("buildPipeline({");
    expect(text).toContain(JSON.stringify(sample!.plan));
    const inputJson = text.slice(text.indexOf("const input = ") + 14, text.indexOf(";\n  const plan"));
    expect(JSON.parse(inputJson)).toEqual(renderInput(sample!.input));
  });
});

import fc from "fast-check";
import type { ExecutionPlan } from "../runner.ts";
import { type InputSpec, inputSpecArb } from "./input-arb.ts";
import { pipelineSpecArb } from "./pipeline-arb.ts";
import type { PipelineSpec } from "./pipeline-spec.ts";
import { executionPlanArb } from "./plan-arb.ts";

/** One generated test case: a pipeline, its input and an execution plan. */
export interface Sample {
  spec: PipelineSpec;
  input: InputSpec;
  plan: ExecutionPlan;
}

/**
 * Samples. Inputs are generated for both possible sources ("a", "b") independently of the
 * pipeline and trimmed afterwards, which shrinks better than deriving them from the pipeline.
 */
export const sampleArb: fc.Arbitrary<Sample> = fc
  .tuple(
    pipelineSpecArb,
    inputSpecArb({ sources: [{ name: "a" }, { name: "b" }] } as PipelineSpec),
    executionPlanArb,
  )
  .map(([spec, input, plan]) => {
    const trimmed: InputSpec = {};
    for (const s of spec.sources) trimmed[s.name] = input[s.name] ?? [];
    return { spec, input: trimmed, plan };
  });

import type { ExecutionPlan, PartitionedInput } from "../runner.ts";
import { type InputSpec, renderInput } from "./input-arb.ts";
import type { PipelineSpec } from "./pipeline-spec.ts";

function isRendered(input: InputSpec | PartitionedInput): input is PartitionedInput {
  return Object.values(input).every((ps) => (ps as unknown[]).every((p) => Array.isArray(p)));
}

const indent = (text: string, by: string) => text.split("\n").join(`\n${by}`);

/**
 * Prints a ready-to-paste vitest test reproducing a counterexample: the pipeline as its
 * generator description (library function names, not function bodies), the input as JSON Lines
 * and the plan. Replace the runner import with the runner under test.
 */
export function formatCounterexample(
  spec: PipelineSpec,
  input: InputSpec | PartitionedInput,
  plan: ExecutionPlan = { parallelism: 1, batchSize: 1, interleavingSeed: 0 },
  runnerModule = "<module of the runner under test>",
  /** How to construct the runner, e.g. `embeddedRunner({ batchSize: 7 })` from @tributary/conformance. */
  runnerExpression?: string,
): string {
  const lines = isRendered(input) ? input : renderInput(input);
  const runnerLines =
    runnerExpression === undefined
      ? [`import { runner } from "${runnerModule}";`]
      : [``, `const runner = ${runnerExpression};`];
  const factory = runnerExpression?.match(/^(\w+)\(/)?.[1];
  return [
    `import { it } from "vitest";`,
    `import { assertFinalViewMatchesReference, buildPipeline${factory ? `, ${factory}` : ""} } from "@tributary/conformance";`,
    ...runnerLines,
    ``,
    `it("conformance counterexample", async () => {`,
    `  const built = buildPipeline(${indent(JSON.stringify(spec, null, 2), "  ")});`,
    `  const input = ${indent(JSON.stringify(lines, null, 2), "  ")};`,
    `  const plan = ${JSON.stringify(plan)};`,
    `  await assertFinalViewMatchesReference(runner, built, input, plan);`,
    `});`,
  ].join("\n");
}

/**
 * HARNESS SELF-TEST ONLY — NOT A RUNNER. Replays the reference model's own result (one on_time
 * pane per window, reference counters) in an order shuffled by the plan's interleaving seed, so
 * the harness (final view, properties, table) can be exercised end to end without a real runner.
 */
import type { BuiltPipeline } from "@tributary/sdk";
import { referenceRun } from "../reference/reference-run.ts";
import type { ExecutionPlan, PartitionedInput, RunnerUnderTest, RunOutput } from "../runner.ts";

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = (state >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The replay pseudo-runner (harness self-test). */
export const replayReferenceRunner: RunnerUnderTest = {
  name: "replay-reference (harness self-test)",
  async run(built: BuiltPipeline, input: PartitionedInput, plan: ExecutionPlan): Promise<RunOutput> {
    const result = referenceRun(built, input);
    if (result.status === "failed") throw new Error(result.message);
    const sinks: Record<string, unknown[]> = {};
    for (const [name, values] of Object.entries(result.sinks))
      sinks[name] = shuffled(values, plan.interleavingSeed);
    return { sinks, counters: result.counters };
  },
};

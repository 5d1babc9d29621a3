/**
 * @tributary/conformance: proves that runners produce the same final windowed results as a
 * deliberately simple reference model (SEMANTICS.md). A runner plugs in through
 * {@link RunnerUnderTest}.
 */

export { compareIdentities } from "./canonical/identity.ts";
export { canonicalJson } from "./canonical/json.ts";
export * from "./final-view.ts";
export * from "./final-view-diff.ts";
export * from "./generators/index.ts";
export * from "./properties.ts";
export * from "./reference/index.ts";
export * from "./runner.ts";
export {
  EMBEDDED_MATRIX,
  type EmbeddedRunnerConfig,
  embeddedRunner,
  SimulatedCrash,
} from "./runners/embedded.ts";
export { RUNNERS, selectRunners } from "./runners/index.ts";
export { LinesSource } from "./runners/lines-source.ts";
export {
  MICROBATCH_BATCH_SIZES,
  MICROBATCH_MATRIX,
  type MicroBatchRunnerConfig,
  microBatchRunner,
} from "./runners/microbatch.ts";
export { replayReferenceRunner } from "./self-test/replay-runner.ts";
export * from "./user-pipeline.ts";

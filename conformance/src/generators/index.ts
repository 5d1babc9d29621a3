export { formatCounterexample } from "./counterexample.ts";
export * from "./fn-library.ts";
export type { InputSpec, LineSpec, PartitionSpec } from "./input-arb.ts";
export { inputSpecArb, partitionArb, renderInput, renderPartition } from "./input-arb.ts";
export { pipelineSpecArb, windowSpecArb, windowStageArb } from "./pipeline-arb.ts";
export type {
  AggregateDesc,
  AggregationDesc,
  PipelineSpec,
  SourceSpec,
  StatelessStep,
  WindowStageSpec,
} from "./pipeline-spec.ts";
export { buildPipeline } from "./pipeline-spec.ts";
export { executionPlanArb } from "./plan-arb.ts";
export type { Sample } from "./sample-arb.ts";
export { sampleArb } from "./sample-arb.ts";

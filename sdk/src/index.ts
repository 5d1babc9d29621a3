export type { AggregateResult, AggregateSpec, Aggregation } from "./aggregations/aggregation.ts";
export {
  type Combiner,
  collect,
  combine,
  count,
  countDistinct,
  first,
  last,
  max,
  mean,
  min,
  sum,
  topK,
} from "./aggregations/builtins.ts";
export { type Duration, formatDuration, parseDuration } from "./duration.ts";
export {
  type IrIssue,
  IrValidationError,
  PipelineDefinitionError,
  TributaryError,
  type TributaryErrorCode,
  type TributaryErrorDetails,
} from "./errors.ts";
export type * from "./ir/built.ts";
export { describeNode, toDot, toMermaid } from "./ir/explain.ts";
export { collectFnRefs, type LocatedFnRef } from "./ir/fn-refs.ts";
export { irJsonSchema } from "./ir/json-schema.ts";
export { formatPath } from "./ir/paths.ts";
export * from "./ir/schema.ts";
export { formatIrIssues, validateIr } from "./ir/validate.ts";
export {
  type BuildOptions,
  type PipelineBuilder,
  type PipelineDefinition,
  pipeline,
} from "./pipeline/pipeline.ts";
export type { ValidationResult } from "./pipeline/schemas.ts";
export { type KeyedStream, Stream, WindowedStream, WindowResultStream } from "./pipeline/streams.ts";
export type {
  DeadLetterReason,
  DeadLetterRecord,
  EarlyFirings,
  PipelineOptions,
  SourceOptions,
  StepOptions,
  TimestampOptions,
  TransformOptions,
  WindowBounds,
  WindowResult,
} from "./pipeline/types.ts";
export { type FixedWindowOptions, global, session, sliding, tumbling } from "./windows/windows.ts";

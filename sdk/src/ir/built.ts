import type { PipelineIr } from "./schema.ts";

/** A user function as stored in the registry. Runners call it with the arguments its node defines. */
export type UserFn = (...args: never[]) => unknown;

/** Maps {@link FnRef} ids to the functions of one build of the pipeline module. */
export type FnRegistry = ReadonlyMap<string, UserFn>;

/** The result of building a pipeline definition: its IR plus the functions the IR references. */
export interface BuiltPipeline {
  readonly ir: PipelineIr;
  readonly fns: FnRegistry;
}

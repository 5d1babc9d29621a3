export { BindingError } from "./job/graph.ts";
export type { CheckpointPolicy, EmbeddedRunOptions, JobResult, Progress, Schedule } from "./options.ts";
export { runEmbedded } from "./run.ts";

export { BindingError } from "@tributary/connectors";
export type { CheckpointPolicy, EmbeddedRunOptions, JobResult, Progress, Schedule } from "./options.ts";
export { runEmbedded } from "./run.ts";

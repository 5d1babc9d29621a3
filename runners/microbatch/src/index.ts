export { BindingError } from "@tributary/connectors";
export { type ArrowSchemaInfo, arrowSchemaOf } from "./batch.ts";
export { explainMicroBatch } from "./batch-lambdas.ts";
export type { BatchReport, MicroBatchResult, MicroBatchRunOptions, Trigger } from "./options.ts";
export { runMicroBatch } from "./run.ts";
export { LevelBatchStateStore, type LevelBatchStateStoreOptions } from "./state/level-store.ts";
export type { BatchStateStore, MicroBatchStateOption, StateVersionData } from "./state/store.ts";

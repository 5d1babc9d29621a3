export type * from "./aggregations/aggregator.ts";
export * from "./aggregations/index.ts";
export * from "./keys/index.ts";
export * from "./operator.ts";
export * from "./record.ts";
export type * from "./state/backend.ts";
export * from "./state/index.ts";

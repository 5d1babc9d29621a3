export type { StatelessOptions, ValueFn } from "./base.ts";
export { FilterOperator } from "./filter.ts";
export { FlatMapOperator } from "./flat-map.ts";
export { KeyByOperator, type KeyByOptions } from "./key-by.ts";
export { MapOperator } from "./map.ts";
export { TimestampsOperator, type TimestampsOptions } from "./timestamps.ts";
export { handleUserFunctionError, UserFunctionError, type UserFunctionSite } from "./user-function-error.ts";

export type * from "./ir/built.ts";
export * from "./ir/schema.ts";

export * from "./lambda/compile-columns.ts";
export * from "./lambda/constants.ts";
export * from "./lambda/explain.ts";
export * from "./lambda/expr.ts";
export * from "./lambda/print.ts";
export * from "./lambda/translate.ts";

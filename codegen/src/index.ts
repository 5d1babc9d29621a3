export * from "./lambda/expr.ts";
export * from "./lambda/print.ts";
export * from "./lambda/translate.ts";

/**
 * A JSON-serializable expression tree for user lambdas, produced by `translateLambda` and
 * consumed by the column compiler, the row interpreter and (later) code generators.
 *
 * Semantics are JavaScript's, operator for operator: every node means exactly what the JS
 * construct it was translated from means, for the values a pipeline carries (JSON values plus
 * `undefined`; no bigints, functions or symbols). Evaluators apply the real JS operators, so
 * `+` concatenates strings, `==` is loose equality, `&&` short-circuits, and so on.
 *
 * Canonical forms (the translator only produces these; the printer relies on them):
 * - number literals are finite and not negative (`-5` is `unary - (literal 5)`, `-0` is
 *   `unary - (literal 0)`, `NaN` / `Infinity` are `global` nodes);
 * - a chain of property accesses with literal keys starting at a parameter is one `field` node
 *   (`t.user.id` → `field(0, ["user", "id"])`), except that `.length` is always a `get` node
 *   (it is usually a string or array length, not a record field);
 * - `get` is property access on any other value.
 */
import { z } from "zod";

/** Arithmetic, bitwise and comparison operators (both operands always evaluated). */
export const BINARY_OPS = [
  "+",
  "-",
  "*",
  "/",
  "%",
  "**",
  "===",
  "!==",
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "&",
  "|",
  "^",
  "<<",
  ">>",
  ">>>",
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Short-circuiting operators. */
export const LOGICAL_OPS = ["&&", "||", "??"] as const;
export type LogicalOp = (typeof LOGICAL_OPS)[number];

export const UNARY_OPS = ["-", "+", "!", "~", "typeof"] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/** Global constants an expression may name. */
export const GLOBAL_CONSTANTS = {
  undefined: undefined,
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "Math.PI": Math.PI,
  "Math.E": Math.E,
  "Math.LN2": Math.LN2,
  "Math.LN10": Math.LN10,
  "Math.LOG2E": Math.LOG2E,
  "Math.LOG10E": Math.LOG10E,
  "Math.SQRT2": Math.SQRT2,
  "Math.SQRT1_2": Math.SQRT1_2,
  "Number.MAX_SAFE_INTEGER": Number.MAX_SAFE_INTEGER,
  "Number.MIN_SAFE_INTEGER": Number.MIN_SAFE_INTEGER,
  "Number.MAX_VALUE": Number.MAX_VALUE,
  "Number.MIN_VALUE": Number.MIN_VALUE,
  "Number.EPSILON": Number.EPSILON,
  "Number.POSITIVE_INFINITY": Number.POSITIVE_INFINITY,
  "Number.NEGATIVE_INFINITY": Number.NEGATIVE_INFINITY,
  "Number.NaN": Number.NaN,
} as const;
export type GlobalName = keyof typeof GLOBAL_CONSTANTS;
export const GLOBAL_NAMES = Object.keys(GLOBAL_CONSTANTS) as GlobalName[];

type AnyFn = (...args: never[]) => unknown;

const MATH_FNS = [
  "abs",
  "acos",
  "acosh",
  "asin",
  "asinh",
  "atan",
  "atan2",
  "atanh",
  "cbrt",
  "ceil",
  "clz32",
  "cos",
  "cosh",
  "exp",
  "expm1",
  "floor",
  "fround",
  "hypot",
  "imul",
  "log",
  "log10",
  "log1p",
  "log2",
  "max",
  "min",
  "pow",
  "round",
  "sign",
  "sin",
  "sinh",
  "sqrt",
  "tan",
  "tanh",
  "trunc",
] as const;

/**
 * Pure global functions an expression may call, with their result type. `Math.random`,
 * `Date.now` and friends are deliberately absent (not deterministic).
 */
export const GLOBAL_FUNCTIONS: Readonly<Record<string, { fn: AnyFn; result: ValueType }>> = {
  ...Object.fromEntries(
    MATH_FNS.map((name) => [`Math.${name}`, { fn: Math[name] as AnyFn, result: "number" as const }]),
  ),
  String: { fn: String, result: "string" },
  Number: { fn: Number, result: "number" },
  Boolean: { fn: Boolean, result: "boolean" },
  parseInt: { fn: Number.parseInt, result: "number" },
  parseFloat: { fn: Number.parseFloat, result: "number" },
  // biome-ignore lint/suspicious/noGlobalIsNan: the global function is what the lambda calls
  isNaN: { fn: globalThis.isNaN, result: "boolean" },
  // biome-ignore lint/suspicious/noGlobalIsFinite: the global function is what the lambda calls
  isFinite: { fn: globalThis.isFinite, result: "boolean" },
  "Number.isNaN": { fn: Number.isNaN, result: "boolean" },
  "Number.isFinite": { fn: Number.isFinite, result: "boolean" },
  "Number.isInteger": { fn: Number.isInteger, result: "boolean" },
  "Number.isSafeInteger": { fn: Number.isSafeInteger, result: "boolean" },
  "Number.parseInt": { fn: Number.parseInt, result: "number" },
  "Number.parseFloat": { fn: Number.parseFloat, result: "number" },
};

/**
 * Methods an expression may call on a value (strings mostly; some also exist on arrays or
 * numbers). All are pure and locale-independent. `result` is the result type when the receiver
 * is a string (for the ones that exist on arrays too, other receivers give `unknown`).
 */
export const METHODS: Readonly<
  Record<string, { minArgs: number; maxArgs: number; result: ValueType; stringOnly: boolean }>
> = {
  toLowerCase: { minArgs: 0, maxArgs: 0, result: "string", stringOnly: true },
  toUpperCase: { minArgs: 0, maxArgs: 0, result: "string", stringOnly: true },
  trim: { minArgs: 0, maxArgs: 0, result: "string", stringOnly: true },
  trimStart: { minArgs: 0, maxArgs: 0, result: "string", stringOnly: true },
  trimEnd: { minArgs: 0, maxArgs: 0, result: "string", stringOnly: true },
  startsWith: { minArgs: 1, maxArgs: 2, result: "boolean", stringOnly: true },
  endsWith: { minArgs: 1, maxArgs: 2, result: "boolean", stringOnly: true },
  includes: { minArgs: 1, maxArgs: 2, result: "boolean", stringOnly: false },
  indexOf: { minArgs: 1, maxArgs: 2, result: "number", stringOnly: false },
  lastIndexOf: { minArgs: 1, maxArgs: 2, result: "number", stringOnly: false },
  slice: { minArgs: 0, maxArgs: 2, result: "string", stringOnly: false },
  substring: { minArgs: 1, maxArgs: 2, result: "string", stringOnly: true },
  charAt: { minArgs: 0, maxArgs: 1, result: "string", stringOnly: true },
  charCodeAt: { minArgs: 0, maxArgs: 1, result: "number", stringOnly: true },
  at: { minArgs: 0, maxArgs: 1, result: "unknown", stringOnly: false },
  padStart: { minArgs: 1, maxArgs: 2, result: "string", stringOnly: true },
  padEnd: { minArgs: 1, maxArgs: 2, result: "string", stringOnly: true },
  repeat: { minArgs: 1, maxArgs: 1, result: "string", stringOnly: true },
  replace: { minArgs: 2, maxArgs: 2, result: "string", stringOnly: true },
  replaceAll: { minArgs: 2, maxArgs: 2, result: "string", stringOnly: true },
  split: { minArgs: 0, maxArgs: 2, result: "unknown", stringOnly: true },
  concat: { minArgs: 0, maxArgs: 8, result: "string", stringOnly: false },
  join: { minArgs: 0, maxArgs: 1, result: "string", stringOnly: false },
  toFixed: { minArgs: 0, maxArgs: 1, result: "string", stringOnly: false },
  toString: { minArgs: 0, maxArgs: 1, result: "string" as ValueType, stringOnly: false },
};

/** Statically known result type of an expression (`unknown` = any value). */
export type ValueType = "number" | "boolean" | "string" | "unknown";

export type ObjectEntry = { readonly key: string; readonly value: Expr } | { readonly spread: Expr };

export type Expr =
  | { readonly kind: "literal"; readonly value: number | string | boolean | null }
  | { readonly kind: "global"; readonly name: GlobalName }
  /** The whole argument `index` (0 = first parameter). */
  | { readonly kind: "param"; readonly index: number }
  /** `param.path[0].path[1]…` (non-empty path of property names). */
  | { readonly kind: "field"; readonly param: number; readonly path: readonly string[] }
  /** `object[key]` with a literal key, on a value that is not a parameter's field chain. */
  | { readonly kind: "get"; readonly object: Expr; readonly key: string }
  | { readonly kind: "unary"; readonly op: UnaryOp; readonly arg: Expr }
  | { readonly kind: "binary"; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "logical"; readonly op: LogicalOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "conditional"; readonly test: Expr; readonly ifTrue: Expr; readonly ifFalse: Expr }
  /** A call of a pure global function, e.g. `Math.max(a, b)`, `String(x)`. */
  | { readonly kind: "call"; readonly fn: string; readonly args: readonly Expr[] }
  /** `object.method(...args)` for a method of {@link METHODS}. */
  | {
      readonly kind: "method";
      readonly object: Expr;
      readonly method: string;
      readonly args: readonly Expr[];
    }
  /** A template literal: `quasis[0]${exprs[0]}quasis[1]…` (cooked text; quasis = exprs + 1). */
  | { readonly kind: "template"; readonly quasis: readonly string[]; readonly exprs: readonly Expr[] }
  | { readonly kind: "object"; readonly entries: readonly ObjectEntry[] }
  | { readonly kind: "array"; readonly elements: readonly Expr[] };

export type ExprKind = Expr["kind"];

/** Zod schema of {@link Expr}, e.g. for explain output or an IR extension. */
export const ExprSchema: z.ZodType<Expr> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("literal"),
      value: z.union([z.number().nonnegative(), z.string(), z.boolean(), z.null()]),
    }),
    z.object({ kind: z.literal("global"), name: z.enum(GLOBAL_NAMES as [GlobalName, ...GlobalName[]]) }),
    z.object({ kind: z.literal("param"), index: z.number().int().nonnegative() }),
    z.object({
      kind: z.literal("field"),
      param: z.number().int().nonnegative(),
      path: z.array(z.string()).min(1),
    }),
    z.object({ kind: z.literal("get"), object: ExprSchema, key: z.string() }),
    z.object({ kind: z.literal("unary"), op: z.enum(UNARY_OPS), arg: ExprSchema }),
    z.object({ kind: z.literal("binary"), op: z.enum(BINARY_OPS), left: ExprSchema, right: ExprSchema }),
    z.object({ kind: z.literal("logical"), op: z.enum(LOGICAL_OPS), left: ExprSchema, right: ExprSchema }),
    z.object({ kind: z.literal("conditional"), test: ExprSchema, ifTrue: ExprSchema, ifFalse: ExprSchema }),
    z.object({
      kind: z.literal("call"),
      fn: z.string().refine((name) => Object.hasOwn(GLOBAL_FUNCTIONS, name), "unknown function"),
      args: z.array(ExprSchema),
    }),
    z.object({
      kind: z.literal("method"),
      object: ExprSchema,
      method: z.string().refine((name) => Object.hasOwn(METHODS, name), "unknown method"),
      args: z.array(ExprSchema),
    }),
    z
      .object({ kind: z.literal("template"), quasis: z.array(z.string()).min(1), exprs: z.array(ExprSchema) })
      .refine((t) => t.quasis.length === t.exprs.length + 1, "quasis must be one more than exprs"),
    z.object({
      kind: z.literal("object"),
      entries: z.array(
        z.union([z.object({ key: z.string(), value: ExprSchema }), z.object({ spread: ExprSchema })]),
      ),
    }),
    z.object({ kind: z.literal("array"), elements: z.array(ExprSchema) }),
  ]),
);

function union(a: ValueType, b: ValueType): ValueType {
  return a === b ? a : "unknown";
}

/**
 * The statically known type of an expression's value, assuming pipeline values (JSON plus
 * `undefined`, no bigints). Used to pick the output column representation.
 */
export function inferType(expr: Expr): ValueType {
  switch (expr.kind) {
    case "literal":
      return expr.value === null ? "unknown" : (typeof expr.value as ValueType);
    case "global":
      return expr.name === "undefined" ? "unknown" : "number";
    case "param":
    case "field":
    case "get":
    case "array":
    case "object":
      return "unknown";
    case "unary":
      return expr.op === "!" ? "boolean" : expr.op === "typeof" ? "string" : "number";
    case "binary": {
      if (expr.op === "+") {
        const l = inferType(expr.left);
        const r = inferType(expr.right);
        if (l === "string" || r === "string") return "string";
        const numeric = (t: ValueType) => t === "number" || t === "boolean";
        return numeric(l) && numeric(r) ? "number" : "unknown";
      }
      return ["===", "!==", "==", "!=", "<", "<=", ">", ">="].includes(expr.op) ? "boolean" : "number";
    }
    case "logical":
      return union(inferType(expr.left), inferType(expr.right));
    case "conditional":
      return union(inferType(expr.ifTrue), inferType(expr.ifFalse));
    case "call":
      return GLOBAL_FUNCTIONS[expr.fn]?.result ?? "unknown";
    case "method": {
      const m = METHODS[expr.method];
      if (m === undefined) return "unknown";
      if (m.stringOnly || m.result === "boolean" || m.result === "number") return m.result;
      if (["toFixed", "toString", "join"].includes(expr.method)) return "string";
      return inferType(expr.object) === "string" ? m.result : "unknown";
    }
    case "template":
      return "string";
  }
}

/** The distinct parameter field paths an expression reads, `[]` meaning the whole parameter. */
export function fieldPaths(expr: Expr): { param: number; path: readonly string[] }[] {
  const seen = new Map<string, { param: number; path: readonly string[] }>();
  const visit = (e: Expr): void => {
    if (e.kind === "param" || e.kind === "field") {
      const path = e.kind === "param" ? [] : e.path;
      const param = e.kind === "param" ? e.index : e.param;
      seen.set(JSON.stringify([param, path]), { param, path });
      return;
    }
    for (const child of children(e)) visit(child);
  };
  visit(expr);
  return [...seen.values()];
}

/** The direct sub-expressions of a node, in evaluation order. */
export function children(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case "literal":
    case "global":
    case "param":
    case "field":
      return [];
    case "get":
      return [expr.object];
    case "unary":
      return [expr.arg];
    case "binary":
    case "logical":
      return [expr.left, expr.right];
    case "conditional":
      return [expr.test, expr.ifTrue, expr.ifFalse];
    case "call":
      return expr.args;
    case "method":
      return [expr.object, ...expr.args];
    case "template":
      return expr.exprs;
    case "object":
      return expr.entries.map((e) => ("spread" in e ? e.spread : e.value));
    case "array":
      return expr.elements;
  }
}

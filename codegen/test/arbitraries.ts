// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are lambda sources, not templates
/** fast-check generators of canonical expression trees and of records, shared by the tests. */
import fc from "fast-check";
import type { Expr, GlobalName } from "../src/lambda/expr.ts";

/** Field paths the generated expressions read; records below have (some of) these fields. */
export const FIELD_PATHS: readonly (readonly string[])[] = [
  ["a"],
  ["b"],
  ["s"],
  ["flag"],
  ["user"],
  ["user", "id"],
  ["tags"],
  ["missing"],
  ["x y"],
  ["0"],
];

const GLOBALS: readonly GlobalName[] = ["undefined", "NaN", "Infinity", "Math.PI", "Number.EPSILON"];

const numberLiteral = fc.oneof(
  fc.constantFrom(0, 1, 2, 0.5, 10, 100, 1e21, 5e-324, 3),
  fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }).filter((v) => !Object.is(v, -0)),
);
const text = fc.oneof(
  fc.constantFrom("", "a", "A b ", "10", "-0", "x y", "true", "null", "`${\\}\r\n"),
  fc.string({ maxLength: 6 }),
);

const leaf = (params: number): fc.Arbitrary<Expr> =>
  fc.oneof(
    numberLiteral.map((value): Expr => ({ kind: "literal", value })),
    text.map((value): Expr => ({ kind: "literal", value })),
    fc.boolean().map((value): Expr => ({ kind: "literal", value })),
    fc.constant<Expr>({ kind: "literal", value: null }),
    fc.constantFrom(...GLOBALS).map((name): Expr => ({ kind: "global", name })),
    fc.nat(params - 1).map((index): Expr => ({ kind: "param", index })),
    fc
      .tuple(fc.nat(params - 1), fc.constantFrom(...FIELD_PATHS))
      .map(([param, path]): Expr => ({ kind: "field", param, path })),
    fc
      .tuple(fc.nat(params - 1), fc.constantFrom(...FIELD_PATHS))
      .map(([param, path]): Expr => ({ kind: "field", param, path })),
  );

const BINARY = [
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
const METHOD_CALLS: readonly { method: string; arity: number }[] = [
  { method: "toLowerCase", arity: 0 },
  { method: "toUpperCase", arity: 0 },
  { method: "trim", arity: 0 },
  { method: "startsWith", arity: 1 },
  { method: "endsWith", arity: 1 },
  { method: "includes", arity: 1 },
  { method: "indexOf", arity: 1 },
  { method: "slice", arity: 2 },
  { method: "substring", arity: 1 },
  { method: "charAt", arity: 1 },
  { method: "at", arity: 1 },
  { method: "toString", arity: 0 },
  { method: "concat", arity: 1 },
];
const CALLS: readonly { fn: string; arity: number }[] = [
  { fn: "Math.abs", arity: 1 },
  { fn: "Math.floor", arity: 1 },
  { fn: "Math.round", arity: 1 },
  { fn: "Math.sign", arity: 1 },
  { fn: "Math.sqrt", arity: 1 },
  { fn: "Math.max", arity: 2 },
  { fn: "Math.min", arity: 2 },
  { fn: "Math.pow", arity: 2 },
  { fn: "String", arity: 1 },
  { fn: "Number", arity: 1 },
  { fn: "Boolean", arity: 1 },
  { fn: "Number.isFinite", arity: 1 },
  { fn: "parseInt", arity: 1 },
];

/** Canonical trees over `params` parameters (see `expr.ts`). */
export function exprArbitrary(params = 1): fc.Arbitrary<Expr> {
  const { expr } = fc.letrec<{ expr: Expr }>((tie) => {
    const sub = tie("expr");
    const args = (n: number) => fc.array(sub, { minLength: n, maxLength: n });
    return {
      expr: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf(params),
        fc.tuple(sub, fc.constantFrom("length", "0", "x", "id")).map(([object, key]): Expr => {
          const canonical = (object.kind !== "param" && object.kind !== "field") || key === "length";
          return { kind: "get", object, key: canonical ? key : "length" };
        }),
        fc
          .tuple(fc.constantFrom("-", "+", "!", "~", "typeof" as const), sub)
          .map(([op, arg]): Expr => ({ kind: "unary", op, arg })),
        fc
          .tuple(fc.constantFrom(...BINARY), sub, sub)
          .map(([op, left, right]): Expr => ({ kind: "binary", op, left, right })),
        fc
          .tuple(fc.constantFrom("&&", "||", "??" as const), sub, sub)
          .map(([op, left, right]): Expr => ({ kind: "logical", op, left, right })),
        fc
          .tuple(sub, sub, sub)
          .map(([test, ifTrue, ifFalse]): Expr => ({ kind: "conditional", test, ifTrue, ifFalse })),
        fc
          .constantFrom(...CALLS)
          .chain(({ fn, arity }) => args(arity).map((a): Expr => ({ kind: "call", fn, args: a }))),
        fc
          .tuple(sub, fc.constantFrom(...METHOD_CALLS))
          .chain(([object, { method, arity }]) =>
            args(arity).map((a): Expr => ({ kind: "method", object, method, args: a })),
          ),
        fc
          .tuple(
            fc.array(sub, { minLength: 1, maxLength: 2 }),
            fc.array(text, { minLength: 3, maxLength: 3 }),
          )
          .map(
            ([exprs, quasis]): Expr => ({
              kind: "template",
              exprs,
              quasis: quasis.slice(0, exprs.length + 1),
            }),
          ),
        fc
          .array(
            fc.oneof(
              fc
                .tuple(fc.constantFrom("a", "b", "x y", "1", "length"), sub)
                .map(([key, value]) => ({ key, value })),
              sub.map((spread) => ({ spread })),
            ),
            { maxLength: 3 },
          )
          .map((entries): Expr => ({ kind: "object", entries })),
        fc.array(sub, { maxLength: 3 }).map((elements): Expr => ({ kind: "array", elements })),
      ),
    };
  });
  return expr;
}

const fieldNumber = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, 7),
  fc.double(),
  fc.integer({ min: -1000, max: 1000 }),
);
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  fieldNumber,
  fieldNumber,
  text,
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);

/** Records with numeric, string, boolean, nested and missing fields; sometimes null itself. */
export const recordArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record(
      {
        a: fieldValue,
        b: fieldNumber,
        s: fc.oneof(text, fc.constant(null)),
        flag: fc.boolean(),
        user: fc.oneof(
          fc.record({ id: fc.oneof(text, fieldNumber) }),
          fc.constant(null),
          fc.constant(undefined),
        ),
        tags: fc.array(text, { maxLength: 3 }),
        "x y": fieldValue,
        "0": fieldValue,
      },
      { requiredKeys: ["b", "flag"] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 5, "str") },
);

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are lambda sources, not templates
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ColumnBatch,
  compileColumns,
  evaluateRow,
  NullCode,
  rowBatch,
} from "../src/lambda/compile-columns.ts";
import { type Expr, inferType } from "../src/lambda/expr.ts";
import { printLambda } from "../src/lambda/print.ts";
import { translateLambda } from "../src/lambda/translate.ts";
import { exprArbitrary, recordArbitrary } from "./arbitraries.ts";

type Outcome = { threw: true } | { threw: false; value: unknown };

function run(fn: () => unknown): Outcome {
  try {
    return { threw: false, value: fn() };
  } catch {
    return { threw: true };
  }
}

/** Deep equality that tells NaN, -0, undefined-vs-missing and key order apart. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Reflect.ownKeys(a);
  const kb = Reflect.ownKeys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) =>
    same((a as Record<PropertyKey, unknown>)[k], (b as Record<PropertyKey, unknown>)[k]),
  );
}

/** The real JS function for a tree (built from printed source, as the user would write it). */
function realFunction(expr: Expr): (t: unknown) => unknown {
  return new Function(`return ${printLambda(expr, ["t"])};`)() as (t: unknown) => unknown;
}

function checkAgainstRealFunction(expr: Expr, rows: readonly unknown[], batch: ColumnBatch = rowBatch(rows)) {
  const real = realFunction(expr);
  const kernel = compileColumns(expr);
  const predicate = compileColumns(expr, { predicate: true });
  const { column, errors } = kernel(batch);
  const predicateResult = predicate(batch);
  const errorRows = new Set(errors.map((e) => e.row));
  expect(predicateResult.errors.map((e) => e.row)).toEqual(errors.map((e) => e.row));
  rows.forEach((row, i) => {
    const expected = run(() => real(row));
    const interpreted = run(() => evaluateRow(expr, row));
    const context = () => `${printLambda(expr, ["t"])} on ${JSON.stringify(row)} (row ${i})`;
    expect(interpreted.threw, context()).toBe(expected.threw);
    expect(errorRows.has(i), context()).toBe(expected.threw);
    if (expected.threw || interpreted.threw) return;
    expect(same(interpreted.value, expected.value), context()).toBe(true);
    expect(predicateResult.column.values[i], context()).toBe(expected.value ? 1 : 0);
    switch (column.type) {
      case "number":
        expect(typeof expected.value, context()).toBe("number");
        expect(Object.is(column.values[i], expected.value), context()).toBe(true);
        break;
      case "boolean":
        expect(typeof expected.value, context()).toBe("boolean");
        expect(column.values[i], context()).toBe(expected.value ? 1 : 0);
        break;
      case "string":
        expect(typeof expected.value, context()).toBe("string");
        expect(column.values[i], context()).toBe(expected.value);
        break;
      default:
        expect(same(column.values[i], expected.value), context()).toBe(true);
    }
  });
}

describe("compiled column evaluation", () => {
  it("equals calling the real function row by row, errors included", () => {
    fc.assert(
      fc.property(
        exprArbitrary(1),
        fc.array(recordArbitrary, { minLength: 1, maxLength: 12 }),
        (expr, rows) => {
          checkAgainstRealFunction(expr, rows);
        },
      ),
      { numRuns: Number(process.env["CODEGEN_FC_RUNS"] ?? 400) },
    );
  });

  it("reads plain-array columns with inline nulls the same as masked typed arrays", () => {
    fc.assert(
      fc.property(
        exprArbitrary(1),
        fc.array(recordArbitrary, { minLength: 1, maxLength: 8 }),
        (expr, rows) => {
          const typed = rowBatch(rows);
          // Same data, but every column a plain array with null/undefined inline where present.
          const plain: ColumnBatch = {
            length: rows.length,
            column(path) {
              const c = typed.column(path);
              const nulls = c.nulls ?? null;
              const values = Array.from({ length: rows.length }, (_, i) =>
                nulls === null || nulls[i] === NullCode.present
                  ? c.values[i]
                  : nulls[i] === NullCode.null
                    ? null
                    : undefined,
              );
              const unreachable = nulls?.some((code) => code === NullCode.unreachable);
              return {
                values,
                nulls:
                  unreachable && nulls !== null
                    ? nulls.map((code) => (code === NullCode.unreachable ? code : 0))
                    : null,
              };
            },
          };
          checkAgainstRealFunction(expr, rows, plain);
        },
      ),
      { numRuns: Number(process.env["CODEGEN_FC_RUNS"] ?? 100) },
    );
  });

  it("handles the special cases explicitly", () => {
    const rows = [
      { a: 1, b: 2, s: "Ab", user: { id: "u1" } },
      { a: -0, b: Number.NaN, s: "", user: null },
      { a: null, b: -0, s: "10" },
      { a: "3", b: 1, s: " x " },
      null,
    ];
    for (const source of [
      "(t) => t.a + t.b",
      "(t) => t.a * -1",
      "(t) => t.s + t.a",
      "(t) => t.a == null",
      "(t) => t.a == t.s",
      "(t) => t.user.id",
      "(t) => t.user && t.user.id",
      "(t) => t.s.trim().toUpperCase().length > 1 ? `big ${t.s}` : t.a ?? 'none'",
      "(t) => ({ a: t.a, b: t.b * 2, ...t.user })",
      "(t) => Math.max(t.a, t.b, 0)",
      "(t) => -t.b",
      "(t) => t",
      "() => 42",
    ]) {
      const result = translateLambda(source);
      if (!result.ok) throw new Error(result.reason);
      checkAgainstRealFunction(result.expr, rows);
    }
  });

  it("picks typed output columns from the inferred type", () => {
    const batch = rowBatch([{ a: 1 }, { a: -0 }, { a: null }]);
    const num = compileColumns({ kind: "unary", op: "-", arg: { kind: "field", param: 0, path: ["a"] } });
    expect(num.type).toBe("number");
    const out = num(batch).column.values;
    expect(out).toBeInstanceOf(Float64Array);
    expect([...out]).toEqual([-1, 0, -0]);
    expect(Object.is(out[1], 0)).toBe(true);
    const cmp = translateLambda("(t) => t.a >= 0");
    if (!cmp.ok) throw new Error(cmp.reason);
    expect(inferType(cmp.expr)).toBe("boolean");
    expect(compileColumns(cmp.expr)(batch).column.values).toEqual(new Uint8Array([1, 1, 1]));
  });

  it("reports the rows where the lambda throws, and evaluates the others", () => {
    const result = translateLambda("(t) => t.user.id.toLowerCase()");
    if (!result.ok) throw new Error(result.reason);
    const { column, errors } = compileColumns(result.expr)(
      rowBatch([{ user: { id: "A" } }, { user: null }, {}, { user: { id: 5 } }, null]),
    );
    expect(column.values[0]).toBe("a");
    expect(errors.map((e) => e.row)).toEqual([1, 2, 3, 4]);
    expect(errors.every((e) => e.error instanceof TypeError)).toBe(true);
  });

  it("evaluateRow supports several parameters", () => {
    const add = translateLambda("add(acc, v) { return acc + v.amount; }");
    if (!add.ok) throw new Error(add.reason);
    expect(evaluateRow(add.expr, 10, { amount: 5 })).toBe(15);
    expect(() => compileColumns(add.expr)).toThrow(/one parameter/);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExprSchema } from "../src/lambda/expr.ts";
import { printLambda } from "../src/lambda/print.ts";
import { translateLambda } from "../src/lambda/translate.ts";
import { exprArbitrary } from "./arbitraries.ts";

describe("print → translate round trip", () => {
  it("gives back the same tree (one parameter)", () => {
    fc.assert(
      fc.property(exprArbitrary(1), (expr) => {
        const source = printLambda(expr, ["t"]);
        const result = translateLambda(source);
        if (!result.ok) throw new Error(`${source}: ${result.reason}`);
        expect(result.params).toEqual(["t"]);
        expect(result.expr).toStrictEqual(expr);
      }),
      { numRuns: Number(process.env["CODEGEN_FC_RUNS"] ?? 300) },
    );
  });

  it("gives back the same tree (two parameters, function-expression form)", () => {
    fc.assert(
      fc.property(exprArbitrary(2), (expr) => {
        const arrow = printLambda(expr, ["acc", "v"]);
        const body = arrow.slice(arrow.indexOf("=>") + 2);
        const result = translateLambda(`function (acc, v) {\n  return ${body};\n}`);
        if (!result.ok) throw new Error(`${body}: ${result.reason}`);
        expect(result.params).toEqual(["acc", "v"]);
        expect(result.expr).toStrictEqual(expr);
      }),
      { numRuns: 100 },
    );
  });

  it("trees are JSON values that the zod schema accepts", () => {
    fc.assert(
      fc.property(exprArbitrary(1), (expr) => {
        const json = JSON.parse(JSON.stringify(expr));
        expect(json).toStrictEqual(expr);
        expect(ExprSchema.parse(json)).toStrictEqual(expr);
      }),
      { numRuns: 200 },
    );
  });
});

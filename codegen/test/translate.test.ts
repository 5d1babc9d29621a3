// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are lambda sources, not templates
import { describe, expect, it } from "vitest";
import { evaluateRow } from "../src/lambda/compile-columns.ts";
import { moduleConstants } from "../src/lambda/constants.ts";
import { printLambda } from "../src/lambda/print.ts";
import { translateLambda } from "../src/lambda/translate.ts";

function translated(source: string, constants?: Record<string, unknown>) {
  const result = translateLambda(source, constants === undefined ? {} : { constants });
  if (!result.ok) throw new Error(`${source}: ${result.reason}`);
  return result;
}

function reason(source: string, options = {}): string {
  const result = translateLambda(source, options);
  if (result.ok) throw new Error(`${source} translated to ${printLambda(result.expr, result.params)}`);
  return result.reason;
}

describe("translateLambda: accepted forms", () => {
  it.each([
    ["(t) => t.x", "(t) => t.x"],
    ["t => t.x", "(t) => t.x"],
    ["function (t) { return t.x; }", "(t) => t.x"],
    ["function named(t) {\n  'use strict';\n  return t.x;\n}", "(t) => t.x"],
    ["(t) => { return t.x; }", "(t) => t.x"],
    ["key(t) { return t.x; }", "(t) => t.x"],
    ["(t: { x: number }): number => (t.x as number)!", "(t) => t.x"],
    ['(t) => t["a b"] + t[0]', '(t) => (t["a b"] + t["0"])'],
    ["(t) => t.user.id", "(t) => t.user.id"],
    ["(t) => t.name.length", "(t) => (t.name).length"],
    ["({ amount, user: { id: uid } }) => amount > 1 && uid", "($0) => (($0.amount > 1) && $0.user.id)"],
    [
      "(t) => { if (t.a) { return 1; } else if (t.b) return 2; return 3; }",
      "(t) => (t.a ? 1 : (t.b ? 2 : 3))",
    ],
    ["(t) => { if (t.a) return 1; }", "(t) => (t.a ? 1 : undefined)"],
    ["(t) => `${t.a}-${t.b}`", "(t) => `${t.a}-${t.b}`"],
    ["(t) => ({ a: t.x, b: t.y * 2, ...t, c })", null],
    [
      "(t) => Math.max(0, Math.round(t.x * 100) / 100)",
      "(t) => Math.max(0, (Math.round((t.x * 100)) / 100))",
    ],
    ["(t) => String(t.n).padStart(3, '0')", '(t) => (String(t.n)).padStart(3, "0")'],
    ["(t) => Number.isFinite(t.x) ? t.x : Number.NaN", "(t) => (Number.isFinite(t.x) ? t.x : Number.NaN)"],
    ["(t) => void 0", "(t) => undefined"],
    ["(t) => typeof t.x === 'number'", '(t) => ((typeof t.x) === "number")'],
    ["() => 1e400", "() => Infinity"],
    ["(acc, v) => acc + v.amount", "(acc, v) => (acc + v.amount)"],
  ])("%s", (source, printed) => {
    if (printed === null) {
      expect(reason(source)).toMatch(/free variable c/);
      return;
    }
    const result = translated(source);
    expect(printLambda(result.expr, result.params)).toBe(printed);
  });

  it("inlines constants (JSON values, including -0, NaN and objects)", () => {
    const result = translated("(w) => w.value.spend > LIMIT * CONFIG.factor && w.key !== NEG", {
      LIMIT: 10_000,
      CONFIG: { factor: 2 },
      NEG: -0,
    });
    expect(evaluateRow(result.expr, { value: { spend: 20_001 }, key: "a" })).toBe(true);
    expect(evaluateRow(result.expr, { value: { spend: 20_000 }, key: "a" })).toBe(false);
    expect(printLambda(result.expr, result.params)).toBe(
      '(w) => ((w.value.spend > (10000 * (({ "factor": 2 })).factor)) && (w.key !== (-0)))',
    );
  });
});

describe("translateLambda: documented reasons for running row-wise", () => {
  it.each([
    ["(t) => classify(t)", "calls user function classify (not translatable; runs row-wise)"],
    ["(t) => t.x > ALERT_THRESHOLD", "references free variable ALERT_THRESHOLD"],
    ["(t) => { let s = 0; for (const v of t.xs) s += v; return s; }", "declares local variable s"],
    ["(t) => { for (;;) {} }", "contains a loop (ForStatement)"],
    ["(t) => { while (t.x) {} return 1; }", "contains a loop (WhileStatement)"],
    ["(t) => { t.x = 1; return t; }", "assigns to t.x (mutation is not translatable)"],
    ["(t) => (t.n += 1)", "assigns to t.n"],
    ["(t) => t.n++", "increments t.n"],
    ["(t) => delete t.x", "deletes a property"],
    ["function (t) { return this.scale * t.x; }", "uses `this`"],
    ["async (t) => t.x", "async function"],
    ["async function (t) { return await t.x; }", "async function"],
    ["function* (t) { yield t.x; }", "generator function"],
    ["(t) => t.items.map((x) => x * 2)", "calls t.items.map with a callback"],
    ["(t) => t.items.sort()", "mutates its receiver"],
    ["(t) => Math.random() < t.p", "calls Math.random (not deterministic)"],
    ["(t) => Date.now() - t.ts", "calls Date.now (not deterministic)"],
    ["(t) => new Date(t.ts)", "constructs an object"],
    ["(t) => t?.x", "optional chaining"],
    ["(t) => t[t.k]", "reads a computed property t[t.k]"],
    ["(t) => /a+/.test(t.s)", "regular expression"],
    ["(t) => t.s.localeCompare('a')", "locale-dependent"],
    ["(t) => 10n * t.x", "bigint literal"],
    ["(t) => { throw new Error('no'); }", "throws an exception"],
    ["(t) => (log(t), t.x)", "comma operator"],
    ["(f) => f(1)", "calls its parameter f"],
    ["(...xs) => xs.length", "rest parameter"],
    ["(t = {}) => t.x", "default parameter value"],
    ["([a, b]) => a + b", "destructures an array parameter"],
    ["(t) => [...t.xs]", "array spread"],
    ["(t) => ({ __proto__: t })", "__proto__"],
    ["(t) => t.s.replace(/x/g, 'y')", "regular expression"],
    ["(t) => arguments.length", "uses `arguments`"],
    ["function () { [native code] }", "native or bound function"],
    ["class A {}", "a class, not a function"],
    ["(t) => t.x +", "does not parse as a function"],
    ["(t) => t.x.frobnicate()", "calls t.x.frobnicate (not a supported pure method)"],
    ["(t) => t.s.slice(1, 2, 3)", "calls .slice with 3 argument(s)"],
  ])("%s", (source, expected) => {
    expect(reason(source)).toContain(expected);
  });

  it("uses the caller's reason for a known free variable", () => {
    expect(
      reason("(t) => t.x > limit", {
        freeVariableReasons: { limit: "a module-level let (mutable state; not translatable)" },
      }),
    ).toBe("references limit: a module-level let (mutable state; not translatable)");
  });

  it("rejects constants that are not JSON values", () => {
    expect(reason("(t) => t.ts > START", { constants: { START: new Date(0) } })).toContain(
      "constant START is a Date (only JSON values can be inlined)",
    );
    expect(reason("(t) => helper(t)", { constants: { helper: () => 1 } })).toContain(
      "calls user function helper",
    );
  });
});

describe("moduleConstants", () => {
  it("finds top-level constant expressions and explains the other names", () => {
    const { constants, reasons } = moduleConstants(`
      import { z } from "zod";
      export const ALERT_THRESHOLD = 10_000;
      const DOUBLE = ALERT_THRESHOLD * 2;
      const NAMES = ["a", "b"] as const;
      let counter = 0;
      const Schema = z.object({});
      const shadowed = 1;
      function f(shadowed: number) { const local = 3; return shadowed + local; }
    `);
    expect(constants).toEqual({ ALERT_THRESHOLD: 10_000, DOUBLE: 20_000, NAMES: ["a", "b"] });
    expect(reasons["counter"]).toBe("a module-level let (mutable state; not translatable)");
    expect(reasons["z"]).toContain("imported from zod");
    expect(reasons["Schema"]).toContain("not a constant expression");
    expect(reasons["shadowed"]).toContain("declared more than once");
    expect(reasons["local"]).toContain("its value is not known from the source");
  });
});

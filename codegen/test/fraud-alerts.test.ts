import { readFileSync } from "node:fs";
import { collectFnRefs, type PipelineDefinition } from "@tributary/sdk";
import { describe, expect, it } from "vitest";
import { compileColumns, evaluateRow, rowBatch } from "../src/lambda/compile-columns.ts";
import { describeVectorization, formatVectorization, NodeVectorization } from "../src/lambda/explain.ts";
import { translateLambda } from "../src/lambda/translate.ts";

const modulePath = new URL("../../examples/fraud-alerts/pipeline.ts", import.meta.url);
const { default: definition } = (await import(modulePath.href)) as { default: PipelineDefinition };
const built = definition.build({ module: modulePath.pathname });

const transactions = [
  { txId: "t1", customerId: "c1", amount: 12.5, ts: 1_000 },
  { txId: "t2", customerId: "c2", amount: -0, ts: 2_000 },
  { txId: "t3", customerId: "c1", amount: Number.NaN, ts: 3_000 },
];
const windows = [
  { key: "c1", window: { start: 0, end: 300_000 }, value: { spend: 10_001, n: 2 } },
  { key: "c2", window: { start: 0, end: 300_000 }, value: { spend: 10_000, n: 1 } },
];

describe("the fraud-alerts example's functions", () => {
  const refs = collectFnRefs(built.ir).filter(({ path }) => path[path.length - 1] !== "validator");

  it("translate, except the filter that reads the module constant ALERT_THRESHOLD", () => {
    expect(refs.length).toBe(4);
    for (const { ref } of refs) {
      const result = translateLambda(ref.source);
      if (ref.id.startsWith("filter")) {
        expect(result).toEqual({
          ok: false,
          reason: expect.stringContaining("references free variable ALERT_THRESHOLD"),
        });
      } else {
        expect(result.ok, `${ref.id}: ${ref.source}`).toBe(true);
      }
    }
  });

  it("evaluate like the real functions, column-wise and row-wise, given the module's constants", () => {
    for (const { ref } of refs) {
      const result = translateLambda(ref.source, { constants: { ALERT_THRESHOLD: 10_000 } });
      if (!result.ok) throw new Error(result.reason);
      const fn = built.fns.get(ref.id) as (value: unknown) => unknown;
      const rows = ref.id.startsWith("filter") ? windows : transactions;
      const { column, errors } = compileColumns(result.expr)(rowBatch(rows));
      expect(errors).toEqual([]);
      rows.forEach((row, i) => {
        expect(Object.is(evaluateRow(result.expr, row), fn(row))).toBe(true);
        const value = column.type === "boolean" ? column.values[i] === 1 : column.values[i];
        expect(Object.is(value, fn(row))).toBe(true);
      });
    }
  });

  it("describeVectorization: every lambda node vectorized once the module's constants are read", () => {
    const withoutModule = describeVectorization(built.ir);
    const filter = withoutModule.find((n) => n.kind === "filter");
    expect(filter?.status).toBe("row-wise");
    expect(filter?.reason).toContain("fn: references free variable ALERT_THRESHOLD");

    const report = describeVectorization(built.ir, { readModule: (file) => readFileSync(file, "utf8") });
    expect(report.map((n) => [n.kind, n.status])).toEqual([
      ["timestamps", "vectorized"],
      ["keyBy", "vectorized"],
      ["windowAggregate", "vectorized"],
      ["filter", "vectorized"],
    ]);
    expect(report.find((n) => n.kind === "windowAggregate")?.fns.map((f) => f.role)).toEqual(["spend.input"]);
    for (const node of report)
      expect(NodeVectorization.parse(JSON.parse(JSON.stringify(node)))).toEqual(node);
    expect(formatVectorization(withoutModule)).toMatch(
      /^timestamps-\S+: vectorized\nkeyBy-\S+: vectorized\nwindowAggregate-\S+: vectorized\nfilter-\S+: row-wise: fn: references free variable ALERT_THRESHOLD/,
    );
  });

  it("describeVectorization: combine aggregations and untranslatable lambdas are row-wise with reasons", () => {
    const ir = structuredClone(built.ir);
    const keyBy = ir.nodes.find((n) => n.kind === "keyBy");
    if (keyBy?.kind !== "keyBy") throw new Error("no keyBy");
    keyBy.params.key = { ...keyBy.params.key, source: "(t) => lookup(t.customerId)" };
    const report = describeVectorization(ir, {
      sources: {
        [`${ir.nodes.find((n) => n.kind === "timestamps")?.id}.timestamp`]: "(t) => { for (;;) {} }",
      },
    });
    expect(report.find((n) => n.kind === "keyBy")?.reason).toBe(
      "key: calls user function lookup (not translatable; runs row-wise)",
    );
    expect(report.find((n) => n.kind === "timestamps")?.reason).toContain("contains a loop");
  });
});

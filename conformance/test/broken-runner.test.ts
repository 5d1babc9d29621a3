/**
 * The suite catches a seeded bug: a test-only variant of the embedded runner whose window
 * operator judges lateness by the OPERATOR watermark instead of the element's own watermark
 * (SEMANTICS.md §2: "the element's watermark … decides lateness, and nothing else does").
 *
 * The variant is built from the same pieces as the real runner: for the duration of one run it
 * wraps `WindowAggregateOperator.prototype.processBatch` so every record entering a window
 * operator has its `w` replaced by that operator's current watermark. No production code path
 * changes; the patch is removed after each run (the suite runs one run at a time).
 */
import { WindowAggregateOperator } from "@tributary/operators";
import { describe, expect, it } from "vitest";
import {
  ALL_PROPERTIES,
  embeddedRunner,
  formatConformanceTable,
  type RunnerUnderTest,
  runConformance,
} from "../src/index.ts";

const embedded = embeddedRunner({ batchSize: 7 });

const operatorWatermarkLateness: RunnerUnderTest = {
  name: "embedded with operator-watermark lateness (deliberately broken)",
  async run(built, input, plan) {
    const original = WindowAggregateOperator.prototype.processBatch;
    WindowAggregateOperator.prototype.processBatch = function (this: WindowAggregateOperator, batch, out) {
      const w = this.watermark;
      return original.call(
        this,
        batch.map((r) => ({ ...r, w })),
        out,
      );
    };
    try {
      return await embedded.run(built, input, plan);
    } finally {
      WindowAggregateOperator.prototype.processBatch = original;
    }
  },
};

describe("a deliberately broken runner", () => {
  it("judging lateness with the operator watermark fails the final-view property within the CI run (200 cases, fixed seed)", async () => {
    const rows = await runConformance({
      runners: [operatorWatermarkLateness],
      properties: ALL_PROPERTIES.filter((p) => p.name === "final view = reference"),
      runs: 200,
      seed: 20_261_124,
    });
    const table = formatConformanceTable(rows);
    console.log(`\n${table}\n`);
    expect(rows[0]!.passed).toBe(false);
    expect(rows[0]!.failure).toContain("final views differ");
    // The shrunk counterexample is printed as a ready-to-paste test.
    expect(rows[0]!.failure).toContain("assertFinalViewMatchesReference(runner, built, input, plan)");
  });

  it("the patch is gone afterwards: the same cases pass on the real runner", async () => {
    const rows = await runConformance({
      runners: [embedded],
      properties: ALL_PROPERTIES.filter((p) => p.name === "final view = reference"),
      runs: 200,
      seed: 20_261_124,
    });
    expect(rows[0]!.failure).toBeUndefined();
  });
});

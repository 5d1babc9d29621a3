import { describe, expect, it } from "vitest";
import {
  ALL_PROPERTIES,
  formatConformanceTable,
  type RunnerUnderTest,
  replayReferenceRunner,
  runConformance,
  type WindowResult,
} from "../src/index.ts";

/** A deliberately wrong runner: replays the reference but adds 1 to every numeric window value. */
const offByOneRunner: RunnerUnderTest = {
  name: "off-by-one",
  async run(built, input, plan) {
    const out = await replayReferenceRunner.run(built, input, plan);
    for (const values of Object.values(out.sinks)) {
      values.forEach((v, i) => {
        const r = v as WindowResult;
        if (typeof r === "object" && r !== null && "pane" in r && typeof r.value === "number") {
          values[i] = { ...r, value: r.value + 1 };
        }
      });
    }
    return out;
  },
};

/** A wrong runner: emits every window result twice with the same pane index. */
const duplicatePaneRunner: RunnerUnderTest = {
  name: "duplicate-panes",
  async run(built, input, plan) {
    const out = await replayReferenceRunner.run(built, input, plan);
    for (const [name, values] of Object.entries(out.sinks)) {
      if (values.some((v) => typeof v === "object" && v !== null && "pane" in v))
        out.sinks[name] = [...values, ...values];
    }
    return out;
  },
};

describe("harness end to end (self-test with the replay pseudo-runner)", () => {
  it("the replay of the reference passes every property", async () => {
    const rows = await runConformance({ runners: [replayReferenceRunner], runs: 40, seed: 42 });
    expect(rows.map((r) => r.property)).toEqual(ALL_PROPERTIES.map((p) => p.name));
    expect(rows.filter((r) => !r.passed).map((r) => r.failure)).toEqual([]);
    expect(formatConformanceTable(rows)).toContain("passed");
  });

  it("a runner with wrong values fails the final-view property with a counterexample", async () => {
    const rows = await runConformance({
      runners: [offByOneRunner],
      runs: 60,
      seed: 7,
      properties: ALL_PROPERTIES.filter((p) => p.name === "final view = reference"),
    });
    expect(rows[0]?.passed).toBe(false);
    expect(rows[0]?.failure).toContain("different");
    expect(rows[0]?.failure).toContain("buildPipeline(");
    expect(formatConformanceTable(rows)).toContain("FAILED");
  });

  it("a runner repeating panes fails the pane invariants", async () => {
    const rows = await runConformance({
      runners: [duplicatePaneRunner],
      runs: 60,
      seed: 3,
      properties: ALL_PROPERTIES.filter((p) => p.name === "pane invariants"),
    });
    expect(rows[0]?.passed).toBe(false);
    expect(rows[0]?.failure).toContain("pane index 0 after 0");
  });
});

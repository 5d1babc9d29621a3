/**
 * Regression tests for bugs the conformance suite (@tributary/conformance) found in the
 * embedded runner, each reduced to its shrunk counterexample.
 */
import {
  clearMemory,
  collected,
  createSink,
  createSource,
  registerMemorySource,
} from "@tributary/connectors";
import { MemoryStateBackend } from "@tributary/operators";
import { count, global, pipeline } from "@tributary/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { runEmbedded } from "../src/index.ts";

afterEach(() => clearMemory());

describe("conformance regressions", () => {
  it("fires windows at the end of input for a source without withTimestamps (its watermark ends at +Infinity)", async () => {
    // Shrunk counterexample (the suite's, as IR: a 1 ms sliding window with no timestamps node,
    // one element `{"k":0,"v":0,"t":0}`): the source's watermark never left -Infinity, so no
    // window ever fired. Through the SDK, the same happens to a global window without timestamps.
    const built = pipeline("no-timestamps", (p) => {
      p.source("a", { schema: z.object({ k: z.number() }) })
        .window(global())
        .aggregate(count())
        .sink("out");
    }).build();
    registerMemorySource("a", [[{ k: 0 }], [], [{ k: 1 }, { k: 2 }]]);
    await runEmbedded(built, {
      sources: { a: createSource("memory:a", { recordSchema: {} }) },
      sinks: { out: createSink("memory:out") },
    });
    expect(collected("out")).toEqual([
      {
        key: null,
        window: { start: Number.MIN_SAFE_INTEGER, end: Number.MAX_SAFE_INTEGER },
        value: 3,
        pane: { index: 0, timing: "on_time" },
      },
    ]);
  });

  it("passes checkpoint ids (not this run's checkpoint count) to onCheckpoint after a restore", async () => {
    // Found while driving crash points from the conformance suite: after restoring from
    // checkpoint 2, the next checkpoint (id 3) was reported as 1.
    const built = pipeline("ids", (p) => {
      p.source("a", { schema: z.object({ k: z.number() }) })
        .window(global())
        .aggregate(count())
        .sink("out");
    }).build();
    registerMemorySource("a", [[{ k: 0 }, { k: 1 }, { k: 2 }, { k: 3 }, { k: 4 }, { k: 5 }]]);
    const state = new MemoryStateBackend();
    const run = (seen: number[], crashAt: number | null) =>
      runEmbedded(built, {
        sources: { a: createSource("memory:a", { recordSchema: {} }) },
        sinks: { out: createSink("memory:out") },
        state,
        batchSize: 1,
        checkpoints: { everyBatches: 1 },
        onCheckpoint: (id) => {
          seen.push(id);
          if (id === crashAt) throw new Error("simulated crash");
        },
      });
    const first: number[] = [];
    await expect(run(first, 2)).rejects.toThrow("simulated crash");
    const second: number[] = [];
    const result = await run(second, null);
    expect(first).toEqual([1, 2]);
    expect(result.restoredFrom).toBe(2);
    expect(second[0]).toBe(3);
    expect(collected("out")).toMatchObject([{ value: 6 }]);
    await state.close();
  });
});

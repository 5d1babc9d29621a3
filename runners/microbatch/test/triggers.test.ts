import { clearMemory, collected, createSink, createSource } from "@tributary/connectors";
import { expect, it } from "vitest";
import { runMicroBatch } from "../src/index.ts";
import { SOURCE_URI, spendPipeline } from "./fixtures/spend.ts";

it("trigger once: one batch with everything available", async () => {
  const r = await runMicroBatch(spendPipeline().build(), {
    sources: { events: createSource(SOURCE_URI(), { recordSchema: {} }) },
    sinks: { out: createSink("memory:mb-once") },
    trigger: { kind: "once" },
  });
  expect(r.batches).toBe(1);
  expect(r.recordsIn).toBe(6000);
  expect(r.completed).toBe(true);
  expect(collected("mb-once").length).toBeGreaterThan(0);
  clearMemory();
});

it("trigger availableNow: bounded batches of maxRowsPerBatch, then stop; kernels reported", async () => {
  const r = await runMicroBatch(spendPipeline().build(), {
    sources: { events: createSource(SOURCE_URI(), { recordSchema: {} }) },
    sinks: { out: createSink("memory:mb-an") },
    trigger: { kind: "availableNow" },
    maxRowsPerBatch: 1000,
  });
  expect(r.batches).toBeGreaterThanOrEqual(6);
  expect(r.recordsIn).toBe(6000);
  expect(Object.values(r.kernels).some((k) => k.includes("vectorized"))).toBe(true);
  expect(r.latencyMs.max).toBeGreaterThan(0);
  clearMemory();
});

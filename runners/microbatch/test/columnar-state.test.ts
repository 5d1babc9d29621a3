import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clearMemory, collected, createSink, createSource } from "@tributary/connectors";
import { runEmbedded } from "@tributary/runner-embedded";
import { type BuiltPipeline, count, max, mean, min, pipeline, sliding, sum, tumbling } from "@tributary/sdk";
import { afterEach, expect, it } from "vitest";
import { runMicroBatch } from "../src/index.ts";

const URI = "generator:numbers?seed=11&count=4000&partitions=2&keys=30";
type Ev = { key: string; value: number; ts: number };

afterEach(() => clearMemory());

/** Per key and window, the last pane (accumulating): what the final view compares. */
function finalView(name: string): string {
  const last = new Map<string, unknown>();
  for (const p of collected(name) as { key: string; window: { start: number }; value: unknown }[])
    last.set(JSON.stringify([p.key, p.window.start]), p.value);
  return JSON.stringify([...last].sort(([a], [b]) => a.localeCompare(b)));
}

async function reference(built: BuiltPipeline, sink: string): Promise<string> {
  await runEmbedded(built, {
    sources: { events: createSource(URI, { recordSchema: {} }) },
    sinks: { out: createSink(`memory:${sink}`) },
  });
  return finalView(sink);
}

const pipelines: [string, () => BuiltPipeline][] = [
  [
    "sliding exact float sum, L > 0 (late panes)",
    () =>
      pipeline("cs-sum", (p) => {
        p.source<Ev>("events")
          .withTimestamps((e) => e.ts, { maxOutOfOrderness: 30 })
          .keyBy((e) => e.key)
          .window(sliding(300, 100))
          .allowedLateness(120)
          .aggregate(sum((e) => e.value / 10))
          .sink("out");
      }).build(),
  ],
  [
    "tumbling mean of integers past 2^53 (fast path, then exact)",
    () =>
      pipeline("cs-mean", (p) => {
        p.source<Ev>("events")
          .withTimestamps((e) => e.ts, { maxOutOfOrderness: 30 })
          .keyBy((e) => e.key)
          .window(tumbling(400))
          .aggregate(mean((e) => Math.round(e.value) * 2 ** 45 + 1))
          .sink("out");
      }).build(),
  ],
  [
    "tumbling min, discarding",
    () =>
      pipeline("cs-min", (p) => {
        p.source<Ev>("events")
          .withTimestamps((e) => e.ts, { maxOutOfOrderness: 30 })
          .keyBy((e) => e.key)
          .window(tumbling(150, { offset: 20 }))
          .discarding()
          .aggregate(min((e) => e.value))
          .sink("out");
      }).build(),
  ],
  [
    "sliding count and max, unkeyed",
    () =>
      pipeline("cs-count", (p) => {
        p.source<Ev>("events")
          .withTimestamps((e) => e.ts, { maxOutOfOrderness: 30 })
          .window(sliding(200, 50))
          .allowedLateness(60)
          .aggregate(count())
          .sink("out");
      }).build(),
  ],
  [
    "sliding max",
    () =>
      pipeline("cs-max", (p) => {
        p.source<Ev>("events")
          .withTimestamps((e) => e.ts, { maxOutOfOrderness: 30 })
          .keyBy((e) => e.key)
          .window(sliding(200, 50))
          .aggregate(max((e) => e.value))
          .sink("out");
      }).build(),
  ],
];

for (const [name, make] of pipelines) {
  it(`columnar window state: ${name} equals the embedded runner at batch sizes 1, 7, 1000`, async () => {
    const expected = await reference(make(), "cs-ref");
    for (const size of [1, 7, 1000]) {
      const r = await runMicroBatch(make(), {
        sources: { events: createSource(URI, { recordSchema: {} }) },
        sinks: { out: createSink(`memory:cs-${size}`) },
        maxRowsPerBatch: size,
      });
      const win = Object.entries(r.kernels).find(([id]) => id.startsWith("windowAggregate"));
      expect(win?.[1]).toMatch(/columnar state/);
      expect(finalView(`cs-${size}`)).toBe(expected);
    }
  });
}

it("columnar window state in LevelDB: crashes before and after commits, restart, same final view", async () => {
  const make = pipelines[0]![1];
  const expected = await reference(make(), "cs-level-ref");
  const dir = mkdtempSync(join(tmpdir(), "mb-columnar-level-"));
  let crashes = 0;
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const r = await runMicroBatch(make(), {
        sources: { events: createSource(URI, { recordSchema: {} }) },
        sinks: { out: createSink("memory:cs-level") },
        checkpointDir: join(dir, "checkpoint"),
        state: { level: join(dir, "state") },
        maxRowsPerBatch: 300,
        trigger: { kind: "availableNow" },
        onBatch: (b) => {
          if (!b.replayed && b.batchId === 2 + attempt * 3) throw new Error("crash");
        },
      });
      expect(r.completed).toBe(true);
      break;
    } catch (e) {
      if ((e as Error).message !== "crash") throw e;
      crashes++;
    }
  }
  expect(crashes).toBeGreaterThan(1);
  expect(finalView("cs-level")).toBe(expected);
});

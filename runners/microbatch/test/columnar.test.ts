import { clearMemory, collected, createSink, createSource } from "@tributary/connectors";
import { runEmbedded } from "@tributary/runner-embedded";
import { count, max, pipeline, sliding } from "@tributary/sdk";
import { expect, it } from "vitest";
import { runMicroBatch } from "../src/index.ts";

const URI = "generator:numbers?seed=3&count=5000&partitions=2&keys=40";

it("the generator's columnar read gives the same elements as read", async () => {
  const src = createSource(URI, { recordSchema: {} });
  const a = await src.open(1, null);
  const b = await src.open(1, null);
  const items = (await a.read(700))!;
  const cols = (await b.readColumns!(700))!;
  expect(cols.length).toBe(items.length);
  const names = Object.keys(cols.columns);
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    expect(item.kind === "element" && item.offset).toBe(cols.firstOffset + i);
    const o: Record<string, unknown> = {};
    for (const n of names) {
      const c = cols.columns[n]!;
      o[n] =
        c.type === "dictionary"
          ? c.dictionary[c.indices[i]!]
          : c.type === "bool"
            ? c.values[i] === 1
            : c.values[i];
    }
    expect(o).toEqual((item as { value: unknown }).value);
  }
  expect(b.position()).toBe(a.position());
  const { Chunk } = await import("../src/batch.ts");
  const batch = Chunk.fromColumnar("events", 1, cols).toArrow();
  expect(batch.numRows).toBe(700);
  expect(batch.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
    "key:Dictionary<Int32, Utf8>",
    "value:Float64",
    "ts:Float64",
  ]);
  expect(batch.toArray()[5]?.toJSON()).toEqual((items[5] as { value: unknown }).value);
});

it("columnar map → filter → keyBy → sliding max equals the embedded runner; nodes reported vectorized", async () => {
  const built = pipeline("mb-columnar", (p) => {
    p.source<{ key: string; value: number; ts: number }>("events")
      .withTimestamps((e) => e.ts - (e.ts % 7), { maxOutOfOrderness: 3 })
      .map((e) => ({ k: e.key, v: e.value * 2, big: e.value > 500 }))
      .filter((m) => m.big || m.v < 300)
      .keyBy((m) => m.k)
      .window(sliding(300, 100))
      .aggregate({ n: count(), top: max((m) => m.v + 1) })
      .sink("out");
  }).build();
  await runEmbedded(built, {
    sources: { events: createSource(URI, { recordSchema: {} }) },
    sinks: { out: createSink("memory:col-ref") },
  });
  const r = await runMicroBatch(built, {
    sources: { events: createSource(URI, { recordSchema: {} }) },
    sinks: { out: createSink("memory:col-mb") },
    maxRowsPerBatch: 999,
  });
  const view = (name: string) =>
    JSON.stringify(
      (collected(name) as { key: string; window: { start: number }; value: unknown }[])
        .map((p) => [p.key, p.window.start, p.value])
        .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    );
  expect(view("col-mb")).toBe(view("col-ref"));
  for (const node of ["timestamps", "map", "filter", "keyBy", "windowAggregate"]) {
    const entry = Object.entries(r.kernels).find(([id]) => id.startsWith(node));
    expect(entry?.[1]).toMatch(/^vectorized/);
  }
  expect(r.kernels["source:events"]).toMatch(/columnar/);
  clearMemory();
});

it("explain: per node vectorized or row-wise with the reason; JSON columns of the record schema", async () => {
  const { explainMicroBatch } = await import("../src/index.ts");
  const { z } = await import("zod");
  const Ev = z.object({ key: z.string(), tags: z.array(z.string()), n: z.number(), ts: z.number().int() });
  const built = pipeline("mb-explain", (p) => {
    p.source("events", { schema: Ev })
      .withTimestamps((e) => e.ts)
      .flatMap((e) => e.tags.map((t) => ({ t, n: e.n })))
      .keyBy((x) => x.t)
      .window(sliding(300, 100))
      .aggregate(max((x) => x.n))
      .sink("out");
  }).build();
  const e = await explainMicroBatch(built);
  expect(e["source:events"]).toMatch(/JSON columns: tags \(nested array\)/);
  const byKind = (k: string) => Object.entries(e).find(([id]) => id.startsWith(k))?.[1];
  expect(byKind("timestamps")).toBe("vectorized");
  expect(byKind("flatMap")).toMatch(/^row-wise: /);
  expect(byKind("keyBy")).toBe("vectorized");
  expect(byKind("windowAggregate")).toBe("vectorized");
});

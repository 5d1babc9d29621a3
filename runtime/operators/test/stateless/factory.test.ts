import type { FnRef, IrNode, UserFn } from "@tributary/sdk";
import { describe, expect, it } from "vitest";
import { createOperator } from "../../src/factory.ts";
import { canonicalKey } from "../../src/keys/canonical-key.ts";
import type { Operator } from "../../src/operator.ts";
import type { StreamRecord } from "../../src/record.ts";
import { MemoryStateBackend } from "../../src/state/memory-backend.ts";
import { FilterOperator } from "../../src/stateless/filter.ts";
import { FlatMapOperator } from "../../src/stateless/flat-map.ts";
import { KeyByOperator } from "../../src/stateless/key-by.ts";
import { MapOperator } from "../../src/stateless/map.ts";
import { TimestampsOperator } from "../../src/stateless/timestamps.ts";
import type { WindowResult } from "../../src/windows/pane.ts";
import { WindowAggregateOperator } from "../../src/windows/window-aggregate.ts";
import { Collector } from "./helpers.ts";

const ref = (id: string): FnRef => ({ id, source: id, callSite: null });
const base = (id: string, inputs: string[]) => ({ id, inputs, outputSchema: {} });

type Click = { user: string; t: number; ms: number };
const fns = new Map<string, UserFn>([
  ["ts", ((v: Click) => v.t) as UserFn],
  ["user", ((v: Click) => v.user) as UserFn],
  ["ms", ((v: Click) => v.ms) as UserFn],
  ["notBot", ((v: Click) => v.user !== "bot") as UserFn],
]);

const nodes: IrNode[] = [
  { ...base("src", []), kind: "source", params: { name: "clicks", recordSchema: {}, validator: null } },
  {
    ...base("stamp", ["src"]),
    kind: "timestamps",
    params: {
      timestamp: ref("ts"),
      watermark: { kind: "boundedOutOfOrderness", maxOutOfOrdernessMs: 5 },
      onError: "fail",
    },
  },
  { ...base("humans", ["stamp"]), kind: "filter", params: { fn: ref("notBot"), onError: "fail" } },
  { ...base("byUser", ["humans"]), kind: "keyBy", params: { key: ref("user"), onError: "fail" } },
  {
    ...base("perMinute", ["byUser"]),
    kind: "windowAggregate",
    params: {
      window: { kind: "tumbling", sizeMs: 60, offsetMs: 0 },
      allowedLatenessMs: 0,
      early: null,
      accumulation: "accumulating",
      aggregate: {
        shape: "fields",
        fields: { clicks: { kind: "count" }, totalMs: { kind: "sum", input: ref("ms") } },
      },
      onError: "fail",
    },
  },
  { ...base("out", ["perMinute"]), kind: "sink", params: { name: "out" } },
];

describe("createOperator", () => {
  it("builds the operator of each node kind, and null for the kinds runners handle", () => {
    const ctx = { fns, maxParallelism: 128, state: new MemoryStateBackend() };
    const ops = nodes.map((n) => createOperator(n, ctx));
    expect(ops.map((o) => o?.constructor)).toEqual([
      undefined,
      TimestampsOperator,
      FilterOperator,
      KeyByOperator,
      WindowAggregateOperator,
      undefined,
    ]);
    const extra: IrNode[] = [
      { ...base("m", []), kind: "map", params: { fn: ref("ts"), onError: "fail" } },
      { ...base("fm", []), kind: "flatMap", params: { fn: ref("ts"), onError: "fail" } },
      { ...base("u", []), kind: "union", params: {} },
      { ...base("l", []), kind: "lateData", params: {} },
      { ...base("d", []), kind: "deadLetters", params: {} },
    ];
    expect(extra.map((n) => createOperator(n, ctx)?.constructor)).toEqual([
      MapOperator,
      FlatMapOperator,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("names the node and the function id when the registry lacks a function", () => {
    const ctx = { fns: new Map<string, UserFn>(), maxParallelism: 128, state: new MemoryStateBackend() };
    expect(() => createOperator(nodes[2]!, ctx)).toThrow(/node 'humans'.*no function 'notBot'.*same build/);
  });

  it("runs a small pipeline end to end with the real aggregations, keys and state backend", async () => {
    const state = new MemoryStateBackend();
    const ops = nodes
      .map((n) => createOperator(n, { fns, maxParallelism: 16, state }))
      .filter((o): o is Operator => o !== null);
    const [stamp, humans, byUser, win] = ops as [
      TimestampsOperator,
      Operator,
      Operator,
      WindowAggregateOperator,
    ];
    stamp.registerPartitions(1);
    const input: Click[] = [
      { user: "ann", t: 1, ms: 10 },
      { user: "bob", t: 2, ms: 5 },
      { user: "bot", t: 3, ms: 1 },
      { user: "ann", t: 50, ms: 7 },
      { user: "ann", t: 70, ms: 1 },
      { user: "ann", t: 30, ms: 100 }, // w = 65: 60 <= 65, dropped as late
    ];
    const source: StreamRecord[] = input.map((value, i) => ({
      value,
      ts: 0,
      w: Number.NEGATIVE_INFINITY,
      id: ["clicks", 0, i],
    }));
    const stage = async (op: Operator, recs: StreamRecord[]) => {
      const out = new Collector();
      await op.processBatch(recs, out);
      return out;
    };
    const keyed = await stage(byUser, (await stage(humans, (await stage(stamp, source)).emitted)).emitted);
    expect(keyed.emitted.map((r) => r.keyEnc)).toEqual(["ann", "bob", "ann", "ann", "ann"].map(canonicalKey));
    const out = await stage(win, keyed.emitted);
    stamp.finishPartition(0);
    await win.onWatermark(stamp.currentWatermark(), out);
    const results = out.emitted.map((r) => r.value as WindowResult);
    // Within one watermark advance, panes come key by key (each key's windows in order).
    expect(results.map((r) => [r.key, r.window.start, r.value])).toEqual([
      ["ann", 0, { clicks: 2, totalMs: 17 }],
      ["ann", 60, { clicks: 1, totalMs: 1 }],
      ["bob", 0, { clicks: 1, totalMs: 5 }],
    ]);
    expect(out.lateRecords.map((r) => r.id)).toEqual([["clicks", 0, 5]]);
    expect(win.counters).toMatchObject({ in: 5, out: 3, droppedLate: 1 });
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Aggregator } from "../../src/aggregations/aggregator.ts";
import type { StreamRecord } from "../../src/record.ts";
import { UserFunctionError } from "../../src/stateless/user-function-error.ts";
import { GLOBAL_WINDOW } from "../../src/windows/assign.ts";
import type { WindowResult } from "../../src/windows/pane.ts";
import { Collector, MapBackend, makeOp, rec, schedule, seeded, sumAgg } from "./helpers.ts";

const NEG = Number.NEGATIVE_INFINITY;
const panes = (out: Collector) =>
  out.results().map((r) => ({ window: [r.window.start, r.window.end], value: r.value, pane: r.pane }));

describe("session windows", () => {
  it("reports absorbed windows that emitted panes in pane.replaces, then continues the index", () => {
    const { op } = makeOp({ window: { kind: "session", gapMs: 10 }, allowedLatenessMs: 100 });
    const out = new Collector();
    op.processBatch([rec("a", 0, NEG, 0)], out);
    op.onWatermark(11, out);
    op.processBatch([rec("a", 10, 11, 1)], out); // touches [0,10): becomes [0,20), fires at 21
    expect(out.emitted).toHaveLength(1);
    op.onWatermark(21, out);
    op.processBatch([rec("a", 5, 21, 2)], out); // inside the fired [0,20): a late pane at once
    expect(panes(out)).toEqual([
      { window: [0, 10], value: 1, pane: { index: 0, timing: "on_time" } },
      { window: [0, 20], value: 2, pane: { index: 0, timing: "on_time", replaces: [{ start: 0, end: 10 }] } },
      { window: [0, 20], value: 3, pane: { index: 1, timing: "late" } },
    ]);
    expect(out.emitted[1]!.w).toBe(19);
    expect(out.emitted[2]!.w).toBe(21);
    expect(op.outputWatermark(21)).toBe(20);
  });

  it("in discarding mode a merged pane holds only what came after the absorbed panes", () => {
    const { op } = makeOp({
      window: { kind: "session", gapMs: 10 },
      allowedLatenessMs: 100,
      accumulation: "discarding",
    });
    const out = new Collector();
    op.processBatch([rec("a", 0, NEG, 0), rec("a", 5, NEG, 1), rec("a", 30, NEG, 2)], out);
    op.onWatermark(16, out); // [0,15) fires
    op.processBatch([rec("a", 2, 16, 3)], out); // [2,12) is inside [0,15): late pane of 1 element
    op.processBatch([rec("a", 15, 16, 4)], out); // extends to [0,25): fires at 26
    op.onWatermark(Number.POSITIVE_INFINITY, out);
    expect(panes(out)).toEqual([
      { window: [0, 15], value: 2, pane: { index: 0, timing: "on_time" } },
      { window: [0, 15], value: 1, pane: { index: 1, timing: "late" } },
      { window: [0, 25], value: 1, pane: { index: 0, timing: "on_time", replaces: [{ start: 0, end: 15 }] } },
      { window: [30, 40], value: 1, pane: { index: 0, timing: "on_time" } },
    ]);
  });

  it("bridging two fired sessions replaces both", () => {
    const { op } = makeOp({ window: { kind: "session", gapMs: 5 }, allowedLatenessMs: 50 });
    const out = new Collector();
    op.processBatch([rec("k", 0, NEG, 0), rec("k", 10, NEG, 1)], out);
    op.onWatermark(16, out);
    op.processBatch([rec("k", 5, 16, 2)], out); // [5,10) touches [0,5) and [10,15): merged [0,15), fire time 16 passed
    expect(panes(out)[2]).toEqual({
      window: [0, 15],
      value: 3,
      pane: {
        index: 0,
        timing: "late",
        replaces: [
          { start: 0, end: 5 },
          { start: 10, end: 15 },
        ],
      },
    });
  });
});

describe("fixed windows", () => {
  it("emits a late pane per kept late element and drops elements past the allowed lateness", () => {
    const { op } = makeOp({ window: { kind: "tumbling", sizeMs: 10, offsetMs: 0 }, allowedLatenessMs: 5 });
    const out = new Collector();
    op.processBatch([rec("a", 3, 0, 0)], out);
    op.onWatermark(10, out);
    op.processBatch([rec("a", 4, 12, 1), rec("a", 5, 15, 2)], out);
    expect(panes(out)).toEqual([
      { window: [0, 10], value: 1, pane: { index: 0, timing: "on_time" } },
      { window: [0, 10], value: 2, pane: { index: 1, timing: "late" } },
    ]);
    expect(out.emitted.map((r) => r.w)).toEqual([9, 12]);
    expect(out.lateRecords.map((r) => r.id)).toEqual([["src", 0, 2]]);
    expect(op.counters).toMatchObject({ in: 3, out: 2, droppedLate: 1 });
  });

  it("a sliding element can be dropped from older windows and kept in newer ones", () => {
    const { op } = makeOp({ window: { kind: "sliding", sizeMs: 10, slideMs: 5, offsetMs: 0 } });
    const out = new Collector();
    op.processBatch([rec("a", 7, 10, 0)], out); // [0,10) dropped (10 <= 10), [5,15) kept
    op.onWatermark(Number.POSITIVE_INFINITY, out);
    expect(panes(out).map((p) => p.window)).toEqual([[5, 15]]);
    expect(op.counters.droppedLate).toBe(1);
    expect(op.accounting).toEqual({ aggregated: 1, partiallyLate: 1 });
    expect(out.lateRecords).toHaveLength(1);
  });

  it("a global window fires only at the end of input", () => {
    const { op } = makeOp({ window: { kind: "global" } });
    const out = new Collector();
    op.processBatch([rec("a", 1, NEG, 0), rec("a", 1e12, NEG, 1)], out);
    op.onWatermark(Number.MAX_SAFE_INTEGER, out);
    expect(out.emitted).toHaveLength(0);
    op.onWatermark(Number.POSITIVE_INFINITY, out);
    expect(out.results()[0]).toMatchObject({ window: GLOBAL_WINDOW, value: 2 });
    expect(out.emitted[0]!.ts).toBe(GLOBAL_WINDOW.end - 1);
  });

  it("treats records without a key as the single key null", () => {
    const { op } = makeOp({ window: { kind: "tumbling", sizeMs: 10, offsetMs: 0 } });
    const out = new Collector();
    const r: StreamRecord = { value: 1, ts: 1, w: NEG, id: ["s", 0, 0] };
    op.processBatch([r, { ...r, id: ["s", 0, 1] }], out);
    op.onWatermark(10, out);
    expect(out.emitted[0]).toMatchObject({ key: null, keyEnc: "null", id: ["win", "null", 0, 0] });
    expect(out.results()[0]).toMatchObject({ key: null, value: 2 });
  });
});

describe("early firings", () => {
  it("every N elements, only before the on-time pane", () => {
    const { op } = makeOp({
      window: { kind: "tumbling", sizeMs: 100, offsetMs: 0 },
      allowedLatenessMs: 50,
      early: { everyElements: 2 },
    });
    const out = new Collector();
    op.processBatch(
      [1, 2, 3, 4, 5].map((t, i) => rec("a", t, t, i)),
      out,
    );
    op.onWatermark(100, out);
    op.processBatch([rec("a", 6, 100, 9), rec("a", 7, 100, 10)], out);
    expect(panes(out).map((p) => [p.pane.timing, p.value])).toEqual([
      ["early", 2],
      ["early", 4],
      ["on_time", 5],
      ["late", 6],
      ["late", 7],
    ]);
    expect(out.emitted[0]!.w).toBe(2);
  });

  it("every T ms of processing time, for windows with new elements", () => {
    let clock = 0;
    const { op } = makeOp(
      {
        window: { kind: "tumbling", sizeMs: 100, offsetMs: 0 },
        accumulation: "discarding",
        early: { everyProcessingTimeMs: 10 },
      },
      undefined,
      { now: () => clock },
    );
    const out = new Collector();
    op.processBatch([rec("a", 1, 0, 0), rec("b", 2, 0, 1)], out);
    expect(out.emitted).toHaveLength(0);
    clock = 10;
    op.processBatch([rec("a", 3, 0, 2)], out);
    expect(panes(out).map((p) => [p.pane.timing, p.value])).toEqual([
      ["early", 2],
      ["early", 1],
    ]);
    clock = 25;
    op.onWatermark(50, out); // nothing new: no pane
    expect(out.emitted).toHaveLength(2);
    clock = 30; // 20 ms since the last early firing, but nothing new until now
    op.processBatch([rec("b", 4, 50, 3)], out);
    expect(
      panes(out)
        .slice(2)
        .map((p) => [p.pane.timing, p.value]),
    ).toEqual([["early", 1]]);
    op.processBatch([rec("b", 5, 50, 4)], out); // same instant: no early pane
    clock = 40;
    op.onWatermark(100, out); // on-time fires first (b has a pending element), so no early pane after it
    expect(
      out
        .results()
        .slice(3)
        .map((r) => [r.key, r.pane.timing, r.value]),
    ).toEqual([["b", "on_time", 1]]);
  });
});

describe("errors in the aggregation", () => {
  it("routes the element to the dead-letter output with onError: dead-letter", () => {
    const { op } = makeOp(
      { window: { kind: "sliding", sizeMs: 10, slideMs: 5, offsetMs: 0 }, onError: "dead-letter" },
      sumAgg as Aggregator,
    );
    const out = new Collector();
    op.processBatch([rec("a", 1, NEG, 0, 5), rec("a", 2, NEG, 1, "x"), rec("a", 3, NEG, 2, 7)], out);
    op.onWatermark(Number.POSITIVE_INFINITY, out);
    expect(out.dead).toHaveLength(1);
    expect(out.dead[0]).toMatchObject({
      reason: "user-function-threw",
      nodeId: "win",
      id: ["src", 0, 1],
      payload: "x",
    });
    expect(out.dead[0]!.message).toContain('["src",0,1]');
    expect(out.results().map((r) => r.value)).toEqual([12, 12]);
    const c = op.counters;
    expect(c.in).toBe(
      c.deadLettered + op.accounting.aggregated + c.droppedLate - op.accounting.partiallyLate,
    );
  });

  it("fails with a UserFunctionError naming the node and the element by default", () => {
    const { op } = makeOp({ window: { kind: "session", gapMs: 5 } }, sumAgg as Aggregator);
    const out = new Collector();
    expect(() => op.processBatch([rec("a", 1, NEG, 7, "x")], out)).toThrow(UserFunctionError);
    try {
      op.processBatch([rec("a", 1, NEG, 7, "x")], out);
    } catch (e) {
      expect((e as Error).message).toMatch(
        /windowAggregate node 'win'.*\["src",0,7\].*not a number.*onError: 'dead-letter'/,
      );
    }
  });
});

describe("checkpoints", () => {
  it("snapshot + keyed state restored into a new operator continue exactly like an uninterrupted run", async () => {
    const scenario = fc.record({
      window: fc.constantFrom(
        { kind: "tumbling" as const, sizeMs: 7, offsetMs: 1 },
        { kind: "sliding" as const, sizeMs: 9, slideMs: 3, offsetMs: 0 },
        { kind: "session" as const, gapMs: 6 },
      ),
      L: fc.integer({ min: 0, max: 20 }),
      xs: fc.array(
        fc.record({
          k: fc.constantFrom("a", "b"),
          ts: fc.integer({ min: 0, max: 80 }),
          lag: fc.integer({ min: -10, max: 30 }),
        }),
        {
          maxLength: 30,
        },
      ),
      seed: fc.integer(),
      cut: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ window, L, xs, seed, cut }) => {
        const records = xs.map((x, i) => rec(x.k, x.ts, x.ts - x.lag, i));
        const steps = schedule(records, seeded(seed));
        const params = { window, allowedLatenessMs: L };
        const whole = makeOp(params);
        const outWhole = new Collector();
        for (const s of steps)
          "batch" in s
            ? whole.op.processBatch(s.batch, outWhole)
            : whole.op.onWatermark(s.watermark, outWhole);

        const at = cut % (steps.length + 1);
        const first = makeOp(params);
        const out = new Collector();
        for (const s of steps.slice(0, at))
          "batch" in s ? first.op.processBatch(s.batch, out) : first.op.onWatermark(s.watermark, out);
        const snap = structuredClone(first.op.snapshot());
        const backend = new MapBackend();
        const store = backend.store<unknown>("win");
        for (const [k, v] of first.backend.stores.get("win")!.map) store.set(k, 0, structuredClone(v));
        const second = makeOp(params, undefined, { backend });
        second.op.restore(snap);
        for (const s of steps.slice(at))
          "batch" in s ? second.op.processBatch(s.batch, out) : second.op.onWatermark(s.watermark, out);

        expect(out.emitted).toEqual(outWhole.emitted);
        expect(second.op.counters).toEqual(whole.op.counters);
      }),
      { numRuns: 150 },
    );
  });
});

describe("async state stores", () => {
  it("awaits prefetch when the store returns a promise", async () => {
    const backend = new MapBackend(true);
    const { op } = makeOp({ window: { kind: "tumbling", sizeMs: 10, offsetMs: 0 } }, undefined, { backend });
    const out = new Collector();
    const p = op.processBatch([rec("a", 1, NEG, 0)], out);
    expect(p).toBeInstanceOf(Promise);
    await p;
    await op.onWatermark(10, out);
    expect((out.results()[0] as WindowResult<number>).value).toBe(1);
  });
});

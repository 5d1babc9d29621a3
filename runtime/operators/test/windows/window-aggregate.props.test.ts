import type { WindowSpec } from "@tributary/sdk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StreamRecord } from "../../src/record.ts";
import type { WindowResult } from "../../src/windows/pane.ts";
import {
  Collector,
  finalView,
  MapBackend,
  makeOp,
  type NodeParams,
  rec,
  type Step,
  schedule,
  seeded,
  shuffle,
  windowId,
} from "./helpers.ts";
import { expectedCounts, expectedDropCounts } from "./model.ts";

const specArb: fc.Arbitrary<WindowSpec> = fc.oneof(
  fc.record({
    kind: fc.constant("tumbling" as const),
    sizeMs: fc.integer({ min: 1, max: 20 }),
    offsetMs: fc.integer({ min: -5, max: 5 }),
  }),
  fc
    .record({
      slide: fc.integer({ min: 1, max: 8 }),
      extra: fc.integer({ min: 0, max: 20 }),
      o: fc.integer({ min: -5, max: 5 }),
    })
    .map(({ slide, extra, o }) => ({
      kind: "sliding" as const,
      sizeMs: slide + extra,
      slideMs: slide,
      offsetMs: o,
    })),
  fc.record({ kind: fc.constant("session" as const), gapMs: fc.integer({ min: 1, max: 15 }) }),
  fc.constant({ kind: "global" as const }),
);

/** Records with keys a/b/c, timestamps around 0..100 and element watermarks a bit below or above ts. */
const recordsArb = fc
  .array(
    fc.record({
      key: fc.constantFrom("a", "b", "c"),
      ts: fc.integer({ min: -30, max: 100 }),
      lag: fc.integer({ min: -25, max: 40 }),
    }),
    { maxLength: 40 },
  )
  .map((xs) => xs.map((x, i) => rec(x.key, x.ts, x.ts - x.lag, i)));

const earlyArb = fc.option(
  fc.record(
    { everyElements: fc.integer({ min: 1, max: 4 }), everyProcessingTimeMs: fc.integer({ min: 1, max: 5 }) },
    { requiredKeys: [] },
  ),
  { nil: null },
);

interface Scenario {
  params: NodeParams;
  records: StreamRecord[];
  seed: number;
  async: boolean;
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  params: fc.record({
    window: specArb,
    allowedLatenessMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 30 })),
    early: earlyArb,
    accumulation: fc.constantFrom("accumulating" as const, "discarding" as const),
  }),
  records: recordsArb,
  seed: fc.integer(),
  async: fc.boolean(),
});

/**
 * Runs the steps and checks, on every emitted record, the §2 invariant: its `w` is >= the
 * watermark the operator had forwarded before the call that emitted it.
 */
async function runChecked(params: NodeParams, steps: readonly Step[], async: boolean) {
  let clock = 0;
  const { op } = makeOp(params, undefined, { backend: new MapBackend(async), now: () => clock });
  const out = new Collector();
  for (const s of steps) {
    clock += 1;
    const forwarded = op.outputWatermark(op.watermark);
    const before = out.emitted.length;
    if ("batch" in s) await op.processBatch(s.batch, out);
    else await op.onWatermark(s.watermark, out);
    for (const r of out.emitted.slice(before)) expect(r.w).toBeGreaterThanOrEqual(forwarded);
  }
  return { op, out };
}

describe("window operator: final view", () => {
  it("equals the reference model, whatever the batches, watermark advances, early firings and mode", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ params, records, seed, async }) => {
        const steps = schedule(records, seeded(seed));
        const { op, out } = await runChecked(params, steps, async);
        const L = params.allowedLatenessMs ?? 0;
        expect(finalView(out.results(), params.accumulation!)).toEqual(
          expectedCounts(records, params.window, L),
        );
        // Accounting: in = deadLettered + aggregated + droppedLate - partiallyLate.
        const expected = expectedDropCounts(records, params.window, L);
        const c = op.counters;
        expect(c.in).toBe(records.length);
        expect(c.droppedLate).toBe(expected.droppedLate);
        expect(op.accounting.aggregated).toBe(expected.aggregated);
        expect(c.in).toBe(
          c.deadLettered + op.accounting.aggregated + c.droppedLate - op.accounting.partiallyLate,
        );
        expect(out.lateRecords).toHaveLength(c.droppedLate);
        expect(c.out).toBe(out.emitted.length);
      }),
      { numRuns: 300 },
    );
  });

  it("does not depend on arrival order (sessions included)", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.integer(), async ({ params, records, seed }, seed2) => {
        const a = await runChecked(params, schedule(records, seeded(seed)), false);
        const permuted = shuffle(records, seeded(seed2));
        const b = await runChecked(params, schedule(permuted, seeded(seed2)), true);
        const mode = params.accumulation!;
        expect(finalView(b.out.results(), mode)).toEqual(finalView(a.out.results(), mode));
      }),
      { numRuns: 200 },
    );
  });

  it("discarding panes merge to the accumulating final result", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ params, records, seed }) => {
        const steps = schedule(records, seeded(seed));
        const acc = await runChecked({ ...params, accumulation: "accumulating" }, steps, false);
        const dis = await runChecked({ ...params, accumulation: "discarding" }, steps, false);
        expect(finalView(dis.out.results(), "discarding")).toEqual(
          finalView(acc.out.results(), "accumulating"),
        );
        // Discarding panes never repeat elements: their values sum to the elements aggregated
        // (fixed windows: per window; so compare the total over all panes with the model).
        const total = dis.out.results().reduce((s, r) => s + r.value, 0);
        const model = [...expectedCounts(records, params.window, params.allowedLatenessMs ?? 0).values()];
        expect(total).toBe(model.reduce((s, v) => s + v, 0));
      }),
      { numRuns: 150 },
    );
  });
});

describe("window operator: panes", () => {
  it("numbers panes 0,1,2… per key and window, in the order early* on_time? late*", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ params, records, seed }) => {
        const { out } = await runChecked(params, schedule(records, seeded(seed)), false);
        const byWindow = new Map<string, WindowResult<number>[]>();
        for (const r of out.results()) {
          const id = windowId(r.key, r.window);
          byWindow.set(id, [...(byWindow.get(id) ?? []), r]);
        }
        const rank = { early: 0, on_time: 1, late: 2 } as const;
        for (const panes of byWindow.values()) {
          expect(panes.map((p) => p.pane.index)).toEqual(panes.map((_, i) => i));
          const ranks = panes.map((p) => rank[p.pane.timing]);
          expect([...ranks].sort()).toEqual(ranks);
          expect(panes.filter((p) => p.pane.timing === "on_time").length).toBeLessThanOrEqual(1);
          if (params.accumulation === "accumulating") {
            // Accumulating counts never shrink, and no pane is empty.
            for (let i = 1; i < panes.length; i++)
              expect(panes[i]!.value).toBeGreaterThanOrEqual(panes[i - 1]!.value);
          }
          for (const p of panes) expect(p.value).toBeGreaterThan(0);
        }
        for (const r of out.emitted) {
          const v = r.value as WindowResult<number>;
          expect(r.ts).toBe(v.window.end - 1);
          expect(r.id).toEqual(["win", JSON.stringify(v.key), v.window.start, v.pane.index]);
          if (v.pane.timing === "on_time") expect(r.w).toBe(v.window.end - 1);
          expect(r.key).toBe(v.key);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("with L = 0 and no early firings emits exactly one on-time pane per window", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ params, records, seed }) => {
        const p = { ...params, allowedLatenessMs: 0, early: null };
        const { out } = await runChecked(p, schedule(records, seeded(seed)), false);
        const ids = out.results().map((r) => windowId(r.key, r.window));
        expect(new Set(ids).size).toBe(ids.length);
        for (const r of out.results()) {
          expect(r.pane).toEqual({ index: 0, timing: "on_time" });
        }
        expect(ids.length).toBe(expectedCounts(records, p.window, 0).size);
      }),
      { numRuns: 200 },
    );
  });

  it("frees all state once the watermark reaches +Infinity", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ params, records, seed }) => {
        const backend = new MapBackend();
        const { op } = makeOp(params, undefined, { backend });
        const out = new Collector();
        for (const s of schedule(records, seeded(seed))) {
          if ("batch" in s) await op.processBatch(s.batch, out);
          else await op.onWatermark(s.watermark, out);
        }
        expect(backend.stores.get("win")?.map.size ?? 0).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});

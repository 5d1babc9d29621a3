import {
  clearMemory,
  collected,
  createSink,
  createSource,
  registerScriptedSource,
} from "@tributary/connectors";
import { count, pipeline, tumbling, type WindowResult } from "@tributary/sdk";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { runEmbedded } from "../src/index.ts";

afterEach(() => clearMemory());

/** Counts per 1 s tumbling window with allowed lateness `lateness`, over a scripted source. */
async function run(name: string, script: Parameters<typeof registerScriptedSource>[1], lateness: number) {
  registerScriptedSource(name, script);
  const built = pipeline("scripted", (p) => {
    p.source("events")
      .withTimestamps((e) => (e as { ts: number }).ts)
      .window(tumbling(1000))
      .allowedLateness(lateness)
      .aggregate(count())
      .sink("out");
  }).build();
  const result = await runEmbedded(built, {
    sources: { events: createSource(`memory:${name}`, { recordSchema: {} }) },
    sinks: { out: createSink(`memory:${name}-out`) },
  });
  return { result, panes: collected(`${name}-out`) as WindowResult<null, number>[] };
}

describe("scripted sources (watermark advances, like Beam's TestStream)", () => {
  it("a scripted watermark fires the on-time pane; a later element within lateness gives a late pane", async () => {
    const { panes } = await run(
      "late-pane",
      [[{ element: { ts: 100 } }, { watermark: 1000 }, { element: { ts: 200 } }, { element: { ts: 5000 } }]],
      500,
    );
    const first = panes.filter((p) => p.window.start === 0);
    expect(first.map((p) => [p.pane.timing, p.pane.index, p.value])).toEqual([
      ["on_time", 0, 1],
      ["late", 1, 2],
    ]);
  });

  it("an element behind a scripted watermark by more than the allowed lateness is dropped and counted", async () => {
    const { panes, result } = await run(
      "dropped",
      [[{ element: { ts: 100 } }, { watermark: 2000 }, { element: { ts: 200 } }]],
      500,
    );
    expect(panes.filter((p) => p.window.start === 0).map((p) => p.value)).toEqual([1]);
    const windowId = Object.keys(result.counters).find((id) => id.startsWith("windowAggregate"))!;
    expect(result.counters[windowId]!.droppedLate).toBe(1);
  });

  it("the final view follows the lateness rule of SEMANTICS §4 for any script", async () => {
    let run_ = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 5000 }).map((ts) => ({ element: { ts } })),
            fc.integer({ min: 0, max: 6000 }).map((watermark) => ({ watermark })),
          ),
          { maxLength: 30 },
        ),
        fc.integer({ min: 0, max: 2000 }),
        async (script, lateness) => {
          const { panes } = await run(`prop-${run_++}`, [script], lateness);
          // Expected: walk the script, tracking the partition watermark (only scripted advances
          // move it, since monotonous timestamps are not set: max ts − 0 also moves it).
          let w = Number.NEGATIVE_INFINITY;
          let maxTs = Number.NEGATIVE_INFINITY;
          const expected = new Map<number, number>();
          for (const step of script) {
            if ("watermark" in step) {
              w = Math.max(w, step.watermark);
              continue;
            }
            const ts = step.element.ts;
            const start = ts - (ts % 1000);
            if (start + 1000 + lateness > w) expected.set(start, (expected.get(start) ?? 0) + 1);
            maxTs = Math.max(maxTs, ts);
            w = Math.max(w, maxTs);
          }
          const last = new Map<number, number>();
          for (const p of panes) last.set(p.window.start, p.value);
          expect(last).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});

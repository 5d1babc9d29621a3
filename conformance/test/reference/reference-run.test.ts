import { describe, expect, it } from "vitest";
import { type ReferenceCompleted, referenceRun, type WindowEntry } from "../../src/index.ts";
import { built, lines, simpleSpec } from "../helpers.ts";

function completed(r: ReturnType<typeof referenceRun>): ReferenceCompleted {
  if (r.status !== "completed") throw new Error(`reference failed: ${r.message}`);
  return r;
}
function windows(r: ReferenceCompleted, sink = "windows"): WindowEntry[] {
  const v = r.view[sink];
  if (v?.kind !== "windows") throw new Error("not a windows sink");
  return v.entries;
}
const values = (r: ReferenceCompleted, sink: string) => {
  const v = r.view[sink];
  if (v?.kind !== "values") throw new Error("not a values sink");
  return v.values;
};

describe("reference model, hand-worked examples", () => {
  it("tumbling windows over negative timestamps", () => {
    const r = completed(
      referenceRun(built(simpleSpec({}, 100)), {
        a: [lines([1, 0, -1], [1, 0, -10], [1, 0, -11], [1, 0, 0])],
      }),
    );
    expect(windows(r)).toEqual([
      { key: 1, window: { start: -20, end: -10 }, value: 1 },
      { key: 1, window: { start: -10, end: 0 }, value: 2 },
      { key: 1, window: { start: 0, end: 10 }, value: 1 },
    ]);
  });

  it("sessions that touch merge (an element exactly gap after the last joins)", () => {
    const spec = simpleSpec({ window: { kind: "session", gapMs: 10 } }, 100);
    const r = completed(referenceRun(built(spec), { a: [lines([1, 0, 10], [1, 0, 0], [1, 0, 25])] }));
    expect(windows(r)).toEqual([
      { key: 1, window: { start: 0, end: 20 }, value: 2 },
      { key: 1, window: { start: 25, end: 35 }, value: 1 },
    ]);
  });

  it("a sliding-window element is dropped from its older windows only", () => {
    const spec = simpleSpec({ window: { kind: "sliding", sizeMs: 20, slideMs: 10, offsetMs: 0 } });
    // The second line has w = 30: window [10,30) has end 30 <= 30 (dropped), [20,40) is kept.
    const r = completed(referenceRun(built(spec), { a: [lines([1, 0, 30], [1, 5, 25])] }));
    expect(windows(r)).toEqual([
      { key: 1, window: { start: 20, end: 40 }, value: 2 },
      { key: 1, window: { start: 30, end: 50 }, value: 1 },
    ]);
    expect(values(r, "late")).toEqual([{ k: 1, v: 5, t: 25 }]);
    expect(r.counters["windowAggregate-1"]?.droppedLate).toBe(1);
  });

  it("allowed lateness keeps fixed windows until end + L > w; sessions use ts + L < w", () => {
    const tumbling = simpleSpec({ allowedLatenessMs: 5 });
    const t = completed(
      referenceRun(built(tumbling), { a: [lines([1, 0, 14], [1, 0, 5], [1, 0, 16], [1, 0, 6])] }),
    );
    // Line 2 (ts 5, w 14): 10 + 5 > 14, kept. Line 4 (ts 6, w 16): 10 + 5 <= 16, dropped.
    expect(windows(t)).toEqual([
      { key: 1, window: { start: 0, end: 10 }, value: 1 },
      { key: 1, window: { start: 10, end: 20 }, value: 2 },
    ]);
    const session = simpleSpec({ window: { kind: "session", gapMs: 3 }, allowedLatenessMs: 5 });
    const s = completed(referenceRun(built(session), { a: [lines([1, 0, 20], [1, 0, 15], [1, 0, 14])] }));
    // ts 15: 15 + 5 < 20 is false, kept; ts 14: 19 < 20, dropped.
    expect(windows(s)).toEqual([
      { key: 1, window: { start: 15, end: 18 }, value: 1 },
      { key: 1, window: { start: 20, end: 23 }, value: 1 },
    ]);
  });

  it("the element watermark ignores lines without a valid timestamp and other partitions", () => {
    const input = {
      a: [['{"k":1,"v":0,"t":1e300}', ...lines([1, 0, 3])], lines([1, 0, 100])],
    };
    const r = completed(referenceRun(built(simpleSpec({})), input));
    expect(windows(r).map((e) => e.value)).toEqual([1, 1]);
    expect(values(r, "late")).toEqual([]);
  });

  it("float sums are exact and independent of partition order", () => {
    const spec = simpleSpec({
      window: { kind: "global" },
      aggregate: { shape: "single", aggregation: { kind: "sum", input: "v field" } },
    });
    const p1 = lines([1, 0.1, 0], [1, 0.2, 1]);
    const p2 = lines([1, 0.3, 2], [1, 1e16, 3], [1, -1e16, 4]);
    const a = completed(referenceRun(built(spec), { a: [p1, p2] }));
    const b = completed(referenceRun(built(spec), { a: [p2, p1] }));
    expect(windows(a)).toEqual([
      { key: 1, window: { start: Number.MIN_SAFE_INTEGER, end: Number.MAX_SAFE_INTEGER }, value: 0.6 },
    ]);
    expect(windows(b)).toEqual(windows(a));
  });

  it("bad input goes to the dead letters with identity and reason", () => {
    const input = {
      a: [["not json", '{"k":1,"t":0}', '{"k":1,"v":1,"t":"x"}', '{"v":1,"t":2}', '{"k":1,"v":1,"t":3}']],
    };
    const r = completed(referenceRun(built(simpleSpec({})), input));
    expect(values(r, "dead-letters")).toEqual([
      { id: ["a", 0, 1], nodeId: "source:a", reason: "undecodable" },
      { id: ["a", 0, 2], nodeId: "source:a", reason: "schema-violation" },
      { id: ["a", 0, 3], nodeId: "timestamps-1", reason: "bad-timestamp" },
      { id: ["a", 0, 4], nodeId: "keyBy-1", reason: "undefined-key" },
    ]);
    expect(windows(r)).toEqual([{ key: 1, window: { start: 0, end: 10 }, value: 1 }]);
    expect(r.counters["source:a"]).toMatchObject({ in: 5, out: 3, deadLettered: 2 });
  });

  it("a throwing user function fails the job or is dead-lettered, per onError", () => {
    const spec = simpleSpec({});
    spec.steps = [{ op: "map", fn: "throw if value divisible by 7", onError: "fail" }];
    const failed = referenceRun(built(spec), { a: [lines([1, 14, 0])] });
    expect(failed).toMatchObject({ status: "failed", nodeId: "map-1", id: ["a", 0, 1] });
    spec.steps = [{ op: "map", fn: "throw if value divisible by 7", onError: "dead-letter" }];
    const r = completed(referenceRun(built(spec), { a: [lines([1, 14, 0], [1, 1, 0])] }));
    expect(values(r, "dead-letters")).toEqual([
      { id: ["a", 0, 1], nodeId: "map-1", reason: "user-function-threw" },
    ]);
  });

  it("collect and first/last order by ts, then identity; flatMap outputs extend the identity", () => {
    const spec = simpleSpec({
      window: { kind: "global" },
      aggregate: {
        shape: "fields",
        fields: {
          all: { kind: "collect", input: "v field" },
          first: { kind: "first", input: null },
          last: { kind: "last", input: "v field" },
        },
      },
    });
    spec.steps = [{ op: "flatMap", fn: "value and its negation", onError: "dead-letter" }];
    const r = completed(referenceRun(built(spec), { a: [lines([1, 2, 5]), lines([1, 3, 5], [1, 4, 1])] }));
    expect(windows(r)[0]?.value).toEqual({
      all: [4, -4, 2, -2, 3, -3],
      first: { k: 1, v: 4, t: 1 },
      last: -3,
    });
  });

  it("a second window aggregates the first one's results at ts = end - 1", () => {
    const spec = simpleSpec({});
    spec.downstream = {
      steps: [],
      window: {
        keyBy: { fn: "constant key", onError: "dead-letter" },
        window: { kind: "tumbling", sizeMs: 20, offsetMs: 0 },
        allowedLatenessMs: 0,
        early: null,
        accumulation: "accumulating",
        aggregate: { shape: "single", aggregation: { kind: "sum", input: "v field" } },
        onError: "dead-letter",
      },
    };
    const r = completed(
      referenceRun(built(spec), { a: [lines([1, 0, 1], [2, 0, 2], [1, 0, 12], [1, 0, 25])] }),
    );
    // Counts per key and 10 ms window: (1,[0,10))=1, (2,[0,10))=1, (1,[10,20))=1, (1,[20,30))=1.
    expect(windows(r, "downstream")).toEqual([
      { key: "all", window: { start: 0, end: 20 }, value: 3 },
      { key: "all", window: { start: 20, end: 40 }, value: 1 },
    ]);
  });
});

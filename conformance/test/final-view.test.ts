import { describe, expect, it } from "vitest";
import {
  buildPipeline,
  canonicalFinalView,
  canonicalJson,
  diffFinalViews,
  FinalViewError,
  finalViewOf,
  formatFinalViewDiff,
  type WindowStageSpec,
} from "../src/index.ts";
import { simpleSpec } from "./helpers.ts";

const pane = (
  key: unknown,
  start: number,
  end: number,
  value: unknown,
  index: number,
  timing: string,
  replaces?: object[],
) => ({
  key,
  window: { start, end },
  value,
  pane: { index, timing, ...(replaces ? { replaces } : {}) },
});
const pipeline = (w: Partial<WindowStageSpec>) => buildPipeline(simpleSpec(w));

describe("final view from pane sequences", () => {
  it("accumulating: the last pane per key and window", () => {
    const view = finalViewOf(pipeline({ allowedLatenessMs: 10 }), {
      windows: [
        pane("b", 0, 10, 2, 0, "on_time"),
        pane("a", 0, 10, 1, 0, "on_time"),
        pane("b", 0, 10, 3, 1, "late"),
      ],
    });
    expect(view["windows"]).toEqual({
      kind: "windows",
      entries: [
        { key: "a", window: { start: 0, end: 10 }, value: 1 },
        { key: "b", window: { start: 0, end: 10 }, value: 3 },
      ],
    });
  });

  it("discarding: panes merge (sum adds, max takes the max)", () => {
    const sum = pipeline({
      accumulation: "discarding",
      aggregate: {
        shape: "fields",
        fields: { s: { kind: "sum", input: "v field" }, m: { kind: "max", input: "v field" } },
      },
    });
    const view = finalViewOf(sum, {
      windows: [pane(1, 0, 10, { s: 2, m: 5 }, 0, "early"), pane(1, 0, 10, { s: 3, m: 4 }, 1, "on_time")],
    });
    expect(view["windows"]).toMatchObject({ entries: [{ key: 1, value: { s: 5, m: 5 } }] });
  });

  it("replaced windows are left out; in discarding mode their panes fold into the replacing window", () => {
    const panes = [
      pane(1, 0, 10, 2, 0, "on_time"),
      pane(1, 12, 22, 1, 0, "on_time"),
      pane(1, 0, 22, 4, 0, "late", [
        { start: 0, end: 10 },
        { start: 12, end: 22 },
      ]),
    ];
    const session = { kind: "session", gapMs: 10 } as const;
    const acc = finalViewOf(pipeline({ window: session, allowedLatenessMs: 5 }), { windows: panes });
    expect(acc["windows"]).toEqual({
      kind: "windows",
      entries: [{ key: 1, window: { start: 0, end: 22 }, value: 4 }],
    });
    const panesDiscarding = [...panes.slice(0, 2), pane(1, 0, 22, 1, 0, "late", panes[2]!.pane.replaces)];
    const dis = finalViewOf(pipeline({ window: session, allowedLatenessMs: 5, accumulation: "discarding" }), {
      windows: panesDiscarding,
    });
    expect(dis["windows"]).toEqual({
      kind: "windows",
      entries: [{ key: 1, window: { start: 0, end: 22 }, value: 4 }],
    });
  });

  it("discarding panes of unsupported kinds cannot be merged", () => {
    const collect = pipeline({
      accumulation: "discarding",
      aggregate: { shape: "single", aggregation: { kind: "collect", input: null } },
    });
    expect(() =>
      finalViewOf(collect, { windows: [pane(1, 0, 10, [1], 0, "on_time"), pane(1, 0, 10, [2], 1, "late")] }),
    ).toThrow(FinalViewError);
  });

  it("dead letters compare by id, nodeId and reason; values as a multiset", () => {
    const built = pipeline({});
    const letter = (message: string) => ({
      id: ["a", 0, 1],
      nodeId: "source:a",
      reason: "undecodable",
      message,
      payload: "x",
    });
    const a = finalViewOf(built, { "dead-letters": [letter("one text")], late: [{ v: 2 }, { v: 1 }] });
    const b = finalViewOf(built, { "dead-letters": [letter("other text")], late: [{ v: 1 }, { v: 2 }] });
    expect(canonicalFinalView(a)).toBe(canonicalFinalView(b));
    expect(diffFinalViews(a, b).equal).toBe(true);
  });

  it("the diff names missing, unexpected and different entries with keys and windows", () => {
    const built = pipeline({});
    const expected = finalViewOf(built, {
      windows: [pane(1, 0, 10, 2, 0, "on_time"), pane(2, 0, 10, 1, 0, "on_time")],
      late: [1],
    });
    const actual = finalViewOf(built, {
      windows: [pane(1, 0, 10, 3, 0, "on_time"), pane(3, 10, 20, 1, 0, "on_time")],
      late: [],
    });
    const diff = diffFinalViews(expected, actual);
    expect(diff.differences.map((d) => [d.sink, d.kind])).toEqual([
      ["late", "missing"],
      ["windows", "different"],
      ["windows", "missing"],
      ["windows", "unexpected"],
    ]);
    const text = formatFinalViewDiff(diff);
    expect(text).toContain("[windows] different key 1 window [0, 10): expected 2, got 3");
    expect(text).toContain("[windows] unexpected key 3 window [10, 20)");
  });

  it("canonical JSON sorts object keys and normalizes -0", () => {
    expect(canonicalJson({ b: [1, -0], a: { d: null, c: "x" } })).toBe('{"a":{"c":"x","d":null},"b":[1,0]}');
  });
});

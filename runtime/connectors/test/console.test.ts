import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConsoleSink, createSink, formatCompactDuration, formatRecord } from "../src/index.ts";

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

describe("console formatting", () => {
  it("shows window results with ISO start, compact size, pane and compact value", () => {
    const start = Date.UTC(2024, 0, 1, 10);
    const line = formatRecord({
      key: "c42",
      window: { start, end: start + 300_000 },
      value: { spend: 12034.5, n: 3 },
      pane: { index: 0, timing: "on_time" },
    });
    expect(line).toBe('c42  [2024-01-01T10:00:00.000Z, +5m)  on_time#0  {"spend":12034.5,"n":3}');
  });

  it("shows small window bounds as raw numbers, non-string keys as JSON, replaced windows", () => {
    const line = formatRecord({
      key: { user: 1 },
      window: { start: 0, end: 5400 },
      value: 7,
      pane: {
        index: 2,
        timing: "late",
        replaces: [
          { start: 0, end: 10 },
          { start: 5, end: 15 },
        ],
      },
    });
    expect(line).toBe('{"user":1}  [0, +5s400ms)  late#2  (replaces 2)  7');
  });

  it("shows other values as compact JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const line = formatRecord(v);
        expect(line).not.toContain("\n");
        expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it("writes compact durations that add back up to the milliseconds", () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 * 86_400_000 }), (ms) => {
        const text = formatCompactDuration(ms);
        const parts = [...text.matchAll(/(\d+)(ms|d|h|m|s)/g)];
        expect(parts.map((p) => p[0]).join("")).toBe(text);
        expect(parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0)).toBe(ms);
        expect(new Set(parts.map((p) => p[2])).size).toBe(parts.length);
      }),
    );
  });

  it("prefixes lines with the label, writes immediately, and waits for drain on backpressure", async () => {
    const chunks: string[] = [];
    let drain: (() => void) | undefined;
    const target = {
      write: (chunk: string) => {
        chunks.push(chunk);
        return chunks.length < 2;
      },
      once: (_event: "drain", listener: () => void) => {
        drain = listener;
      },
    };
    const sink = new ConsoleSink(target, "test", "alerts");
    expect(sink.write([{ a: 1 }, "x"])).toBeUndefined();
    expect(chunks).toEqual(['alerts | {"a":1}\nalerts | "x"\n']);
    const pending = sink.write([null]);
    expect(pending).toBeInstanceOf(Promise);
    drain!();
    await pending;
    expect(await sink.preCommit(1)).toBeNull();
    expect(createSink("console:stderr").description).toContain("at-least-once");
  });
});

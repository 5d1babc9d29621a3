import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { DeadLetterRecord, WindowResult } from "@tributary/sdk";
import { describe, expect, it } from "vitest";
import { runExample } from "../../test-support/run-example.ts";
import definition, { wordsOf } from "../pipeline.ts";

const FILE = resolve(import.meta.dirname, "../pipeline.ts");

describe("word-count example", () => {
  it("counts words per minute like a direct count, and dead-letters the bad lines by line number", async () => {
    const built = definition.build();
    const { sinks, result } = await runExample(FILE, built);
    // Direct computation from the data file, skipping lines that are not {line: string, ts: int}.
    const expected = new Map<string, number>();
    const bad: number[] = [];
    const lines = readFileSync(resolve(import.meta.dirname, "../data/lines.jsonl"), "utf8").split("\n");
    for (const [i, text] of lines.entries()) {
      if (text === "") continue;
      let v: { line?: unknown; ts?: unknown };
      try {
        v = JSON.parse(text);
      } catch {
        bad.push(i + 1);
        continue;
      }
      if (typeof v.line !== "string" || !Number.isInteger(v.ts)) {
        bad.push(i + 1);
        continue;
      }
      const minute = (v.ts as number) - ((v.ts as number) % 60_000);
      for (const w of wordsOf(v.line))
        expected.set(`${w}@${minute}`, (expected.get(`${w}@${minute}`) ?? 0) + 1);
    }
    // Late lines (beyond the 10 s bound) would be dropped and counted; the data has none.
    const windowId = built.ir.nodes.find((n) => n.kind === "windowAggregate")!.id;
    expect(result.counters[windowId]!.droppedLate).toBe(0);
    const counts = sinks.counts as WindowResult<string, number>[];
    expect(new Map(counts.map((c) => [`${c.key}@${c.window.start}`, c.value]))).toEqual(expected);
    const rejected = sinks.rejected as DeadLetterRecord[];
    expect(rejected.map((d) => d.id[2])).toEqual(bad);
    expect(rejected.map((d) => d.reason)).toEqual(["undecodable", "schema-violation"]);
  });
});

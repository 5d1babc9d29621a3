import { resolve } from "node:path";
import type { WindowResult } from "@tributary/sdk";
import { describe, expect, it } from "vitest";
import { configOf, readAll, runExample } from "../../test-support/run-example.ts";
import definition from "../pipeline.ts";

const FILE = resolve(import.meta.dirname, "../pipeline.ts");
const GAP = 30 * 60_000;

interface Click {
  userId: string;
  page: string;
  ts: number;
}

describe("clickstream-sessions example", () => {
  it("finds the same sessions as splitting each user's sorted clicks at gaps over 30 minutes", async () => {
    const { sinks, result } = await runExample(FILE, definition.build());
    const clicks = (await readAll(configOf(FILE).sources.clicks!, ".")).flat() as Click[];
    const byUser = new Map<string, Click[]>();
    for (const c of clicks) byUser.set(c.userId, [...(byUser.get(c.userId) ?? []), c]);
    const expected: string[] = [];
    for (const [user, cs] of byUser) {
      cs.sort((a, b) => a.ts - b.ts);
      let start = cs[0]!.ts;
      let last = start;
      let n = 0;
      for (const c of cs) {
        // [ts, ts + gap) windows that touch merge: a click exactly `gap` after the last joins.
        if (c.ts > last + GAP) {
          expected.push(`${user}@${start}-${last + GAP}:${n}`);
          start = c.ts;
          n = 0;
        }
        last = c.ts;
        n++;
      }
      expected.push(`${user}@${start}-${last + GAP}:${n}`);
    }
    const sessions = sinks.sessions as WindowResult<string, { clicks: number }>[];
    // The generator's disorder is within the 1-minute bound, so nothing is late and the
    // on-time panes are final.
    expect(
      result.counters[definition.build().ir.nodes.find((n) => n.kind === "windowAggregate")!.id]!.droppedLate,
    ).toBe(0);
    expect(
      sessions.map((s) => `${s.key}@${s.window.start}-${s.window.end}:${s.value.clicks}`).sort(),
    ).toEqual(expected.sort());
  });
});

import { resolve } from "node:path";
import type { WindowResult } from "@tributary/sdk";
import { describe, expect, it } from "vitest";
import { configOf, readAll, runExample } from "../../test-support/run-example.ts";
import definition, { ALERT_THRESHOLD, type Transaction } from "../pipeline.ts";

const FILE = resolve(import.meta.dirname, "../pipeline.ts");
const FIVE_MINUTES = 5 * 60_000;

describe("fraud-alerts example", () => {
  it("alerts exactly for the customers whose 5-minute spend exceeds the threshold", async () => {
    const { result, sinks } = await runExample(FILE, definition.build());
    // The expectation, computed directly from the same generated transactions: the generator's
    // disorder (< 3 s) is within the 5 s bound, so no transaction is late.
    const txns = (await readAll(configOf(FILE).sources.transactions!, ".")).flat() as Transaction[];
    const spend = new Map<string, number>();
    for (const t of txns) {
      const k = `${t.customerId}@${t.ts - (t.ts % FIVE_MINUTES)}`;
      spend.set(k, (spend.get(k) ?? 0) + t.amount);
    }
    const expected = [...spend].filter(([, s]) => s > ALERT_THRESHOLD).map(([k]) => k);
    const alerts = sinks.alerts as WindowResult<string, { spend: number; n: number }>[];
    expect(alerts.map((a) => `${a.key}@${a.window.start}`).sort()).toEqual(expected.sort());
    for (const a of alerts) {
      expect(a.value.spend).toBeCloseTo(spend.get(`${a.key}@${a.window.start}`)!, 6);
      expect(a.pane.timing).toBe("on_time");
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(result.recordsIn).toBe(txns.length);
    expect(sinks.rejected).toEqual([]);
  });
});

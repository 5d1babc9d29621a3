import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StreamRecord } from "../../src/record.ts";
import { TimestampsOperator } from "../../src/stateless/timestamps.ts";
import { Collector, fnRef } from "./helpers.ts";

const NEG = Number.NEGATIVE_INFINITY;
const tsOf = (v: unknown) => (v as { t: unknown }).t;

const make = (D: number | null, onError: "fail" | "dead-letter" = "fail") =>
  new TimestampsOperator({
    nodeId: "ts",
    fn: tsOf,
    fnRef: fnRef("t1"),
    onError,
    watermark:
      D === null ? { kind: "monotonous" } : { kind: "boundedOutOfOrderness", maxOutOfOrdernessMs: D },
    partitions: 3,
  });

/** Elements of 3 partitions; `t` is sometimes not a safe integer. */
const elements = fc.array(
  fc.record({
    p: fc.integer({ min: 0, max: 2 }),
    t: fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<unknown>(Number.NaN, 1.5, "12", Number.POSITIVE_INFINITY, null),
      },
    ),
  }),
  { maxLength: 60 },
);

describe("TimestampsOperator", () => {
  it("gives each element its partition's watermark before it, W_p = max(W_p, maxTs_p - D)", () => {
    fc.assert(
      fc.property(
        elements,
        fc.option(fc.integer({ min: 0, max: 50 }), { nil: null }),
        fc.integer({ min: 1, max: 10 }),
        (xs, D, batchSize) => {
          const op = make(D);
          const out = new Collector();
          const input: StreamRecord[] = xs.map((x, i) => ({
            value: { t: x.t },
            ts: 0,
            w: NEG,
            id: ["src", x.p, i],
          }));
          for (let i = 0; i < input.length; i += batchSize)
            op.processBatch(input.slice(i, i + batchSize), out);

          // Model.
          const maxTs = [NEG, NEG, NEG];
          const expected: StreamRecord[] = [];
          let bad = 0;
          for (const r of input) {
            const t = tsOf(r.value);
            const p = r.id[1] as number;
            if (!Number.isSafeInteger(t)) {
              bad++;
              continue;
            }
            expected.push({ ...r, ts: t as number, w: maxTs[p]! - (D ?? 0) });
            maxTs[p] = Math.max(maxTs[p]!, t as number);
          }
          expect(out.emitted).toEqual(expected);
          const wms = maxTs.map((m) => m - (D ?? 0));
          expect([0, 1, 2].map((p) => op.partitionWatermark(p))).toEqual(wms);
          expect(op.currentWatermark()).toBe(Math.min(...wms));
          expect(out.dead).toHaveLength(bad);
          for (const d of out.dead) expect(d.reason).toBe("bad-timestamp");
          expect(op.counters).toMatchObject({ in: xs.length, out: expected.length, deadLettered: bad });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("explains a bad timestamp: the value, the node, the element and the fix", () => {
    const op = make(0);
    const out = new Collector();
    op.processBatch([{ value: { t: "2024-01-01" }, ts: 0, w: NEG, id: ["orders", 1, 5] }], out);
    expect(out.dead[0]).toMatchObject({
      nodeId: "ts",
      reason: "bad-timestamp",
      id: ["orders", 1, 5],
      payload: { t: "2024-01-01" },
    });
    expect(out.dead[0]!.message).toContain('the string "2024-01-01"');
    expect(out.dead[0]!.message).toContain("timestamps node 'ts'");
    expect(out.dead[0]!.message).toContain('["orders",1,5]');
    expect(out.dead[0]!.message).toContain("safe integers");
  });

  it("advances, finishes and registers partitions; the operator watermark is their minimum", () => {
    const op = make(5);
    expect(op.currentWatermark()).toBe(NEG);
    op.advancePartition(0, 100);
    op.advancePartition(0, 50); // never goes back
    op.finishPartition(1);
    op.advancePartition(2, 70);
    expect(op.partitionWatermark(0)).toBe(100);
    expect(op.currentWatermark()).toBe(70);
    // A record on partition 4 registers partitions 3 and 4 at -Infinity.
    const out = new Collector();
    op.processBatch([{ value: { t: 10 }, ts: 0, w: 0, id: ["s", 4, 0] }], out);
    expect(op.partitionCount).toBe(5);
    expect(out.emitted[0]!.w).toBe(NEG);
    expect(op.currentWatermark()).toBe(NEG);
    expect(op.partitionWatermark(4)).toBe(5);
    // An element behind the watermark does not lower it.
    op.processBatch([{ value: { t: 90 }, ts: 0, w: 0, id: ["s", 0, 1] }], out);
    expect(out.emitted[1]!.w).toBe(100);
    expect(op.partitionWatermark(0)).toBe(100);
  });

  it("restores per-partition state from a snapshot", () => {
    const a = make(2);
    const out = new Collector();
    a.processBatch(
      [
        { value: { t: 10 }, ts: 0, w: 0, id: ["s", 0, 0] },
        { value: { t: 20 }, ts: 0, w: 0, id: ["s", 2, 1] },
      ],
      out,
    );
    const b = make(2);
    b.restore(structuredClone(a.snapshot()));
    const next = [{ value: { t: 15 }, ts: 0, w: 0, id: ["s", 0, 2] }];
    const outA = new Collector();
    const outB = new Collector();
    a.processBatch(next, outA);
    b.processBatch(next, outB);
    expect(outB.emitted).toEqual(outA.emitted);
    expect(outB.emitted[0]!.w).toBe(8);
    expect(b.counters).toEqual(a.counters);
    expect([0, 1, 2].map((p) => b.partitionWatermark(p))).toEqual([13, NEG, 18]);
  });

  it("rejects identities without an integer partition (a runner bug, not bad input)", () => {
    const op = make(0);
    expect(() =>
      op.processBatch([{ value: { t: 1 }, ts: 0, w: 0, id: ["s", "p0", 0] }], new Collector()),
    ).toThrow(/integer partition/);
  });
});

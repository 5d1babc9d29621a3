import { describe, expect, it } from "vitest";
import { canonicalKey } from "../../src/keys/canonical-key.ts";
import { type InPlaceOperator, isInPlaceOperator } from "../../src/operator.ts";
import type { MutableStreamRecord } from "../../src/record.ts";
import { FilterOperator } from "../../src/stateless/filter.ts";
import { FlatMapOperator } from "../../src/stateless/flat-map.ts";
import { KeyByOperator } from "../../src/stateless/key-by.ts";
import { MapOperator } from "../../src/stateless/map.ts";
import { TimestampsOperator } from "../../src/stateless/timestamps.ts";
import { Collector, records } from "./helpers.ts";

type V = { k?: unknown; t?: unknown; n: number };
const values: V[] = [
  { k: "a", t: 5, n: 1 },
  { k: undefined, t: 6, n: 2 }, // undefined key: dead letter at keyBy
  { k: "b", t: 1.5, n: 3 }, // bad timestamp: dead letter at timestamps
  { k: ["x", 1], t: 9, n: 4 },
  { k: "a", t: 2, n: -1 }, // map throws, filter drops
  { k: "c", t: 12, n: 6 },
];

function operators(): InPlaceOperator[] {
  const onError = "dead-letter" as const;
  return [
    new TimestampsOperator({
      nodeId: "ts",
      fn: (v) => (v as V).t,
      onError,
      watermark: { kind: "boundedOutOfOrderness", maxOutOfOrdernessMs: 2 },
      partitions: 1,
    }),
    new KeyByOperator({ nodeId: "key", fn: (v) => (v as V).k, onError, encodeKey: canonicalKey }),
    new MapOperator({
      nodeId: "map",
      fn: (v) => {
        if ((v as V).n < 0) throw new Error("negative");
        return { ...(v as V), n: (v as V).n * 10 };
      },
      onError,
    }),
    new FilterOperator({ nodeId: "filter", fn: (v) => (v as V).n !== 30, onError }),
  ];
}

const fresh = (): MutableStreamRecord[] =>
  records(values).map((r) => ({ ...r, key: undefined, keyEnc: undefined }));

describe("processBatchInPlace (operator chaining)", () => {
  it("is what processBatch emits, written into the input records, with the same counters and dead letters", () => {
    const chained = operators();
    const plain = operators();
    const batch = fresh();
    const inputs = [...batch];
    const chainedOut = new Collector();
    for (const op of chained) op.processBatchInPlace(batch, chainedOut);

    let current = fresh() as readonly MutableStreamRecord[];
    const plainOut = new Collector();
    for (const op of plain) {
      const step = new Collector();
      op.processBatch(current, step);
      plainOut.dead.push(...step.dead);
      current = step.emitted as MutableStreamRecord[];
    }

    expect(batch).toEqual(current);
    expect(batch.length).toBeGreaterThan(0);
    for (const r of batch) expect(inputs).toContain(r); // the same objects, rewritten
    expect(chainedOut.emitted).toEqual([]);
    expect(chainedOut.dead).toEqual(plainOut.dead);
    expect(chainedOut.dead.map((d) => d.reason).sort()).toEqual([
      "bad-timestamp",
      "undefined-key",
      "user-function-threw",
    ]);
    expect(chained.map((op) => op.counters)).toEqual(plain.map((op) => op.counters));
    expect((chained[0] as TimestampsOperator).currentWatermark()).toBe(
      (plain[0] as TimestampsOperator).currentWatermark(),
    );
  });

  it("throws the same error as processBatch when onError is fail", () => {
    const make = () =>
      new MapOperator({
        nodeId: "m",
        fn: () => {
          throw new Error("boom");
        },
      });
    const plain = (() => {
      try {
        make().processBatch(fresh(), new Collector());
      } catch (e) {
        return e;
      }
    })();
    expect(() => make().processBatchInPlace(fresh(), new Collector())).toThrow((plain as Error).message);
  });

  it("is offered by the one-in-one-out stateless operators only", () => {
    for (const op of operators()) expect(isInPlaceOperator(op)).toBe(true);
    expect(isInPlaceOperator(new FlatMapOperator({ nodeId: "f", fn: (v) => [v] }))).toBe(false);
    expect(isInPlaceOperator(null)).toBe(false);
  });
});

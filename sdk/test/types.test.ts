import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  type AggregateResult,
  type Aggregation,
  collect,
  combine,
  count,
  countDistinct,
  type DeadLetterRecord,
  first,
  global,
  type KeyedStream,
  last,
  max,
  mean,
  min,
  pipeline,
  type Stream,
  sum,
  topK,
  tumbling,
  type WindowResult,
} from "../src/index.ts";

const Txn = z.object({ customerId: z.string(), amount: z.number(), ts: z.number().int() });
type Txn = z.infer<typeof Txn>;

/** Runs `check` inside a pipeline definition (types are what this file tests; build proves it runs). */
function within(check: (txns: Stream<Txn>) => void): void {
  pipeline("types", (p) => {
    const txns = p.source("t", { schema: Txn }).withTimestamps((t) => t.ts);
    check(txns);
    txns.sink("o");
  }).build();
}

describe("aggregate result types", () => {
  it("gives an object of results for named aggregations, with the element type inferred", () => {
    within((txns) => {
      const results = txns
        .keyBy((t) => t.customerId)
        .window(tumbling("5m"))
        .aggregate({ spend: sum((t) => t.amount), n: count() });
      expectTypeOf(results).toExtend<Stream<WindowResult<string, { spend: number; n: number }>, string>>();
      results.filter((w) => {
        expectTypeOf(w.value).toEqualTypeOf<{ spend: number; n: number }>();
        expectTypeOf(w.key).toEqualTypeOf<string>();
        expectTypeOf(w.pane.timing).toEqualTypeOf<"early" | "on_time" | "late">();
        return w.value.spend > 10_000;
      });
    });
  });

  it("gives the aggregation's own result for a single aggregation", () => {
    within((txns) => {
      const byCustomer = txns.keyBy((t) => t.customerId).window(tumbling(1000));
      expectTypeOf(byCustomer.aggregate(count())).toExtend<Stream<WindowResult<string, number>, string>>();
      expectTypeOf(byCustomer.aggregate(collect())).toExtend<Stream<WindowResult<string, Txn[]>, string>>();
      expectTypeOf(byCustomer.aggregate(collect((t) => t.amount))).toExtend<
        Stream<WindowResult<string, number[]>, string>
      >();
      expectTypeOf(txns.window(global()).aggregate(first())).toExtend<Stream<WindowResult<null, Txn>>>();
    });
  });

  it("types every built-in and combine", () => {
    within((txns) => {
      const all = txns
        .keyBy((t) => ({ c: t.customerId }))
        .window(tumbling("1m"))
        .aggregate({
          c: count(),
          s: sum((t) => t.amount),
          lo: min((t) => t.amount),
          hi: max((t) => t.amount),
          avg: mean((t) => t.amount),
          d: countDistinct((t) => t.customerId),
          ids: collect((t) => t.customerId),
          top: topK(3, (t) => t.amount),
          firstId: first((t) => t.customerId),
          lastTxn: last(),
          custom: combine({
            create: () => ({ n: 0 }),
            add: (acc, t) => ({ n: acc.n + t.amount }),
            merge: (a, b) => ({ n: a.n + b.n }),
            extract: (acc) => `${acc.n}`,
          }),
        });
      all.map((w) => {
        expectTypeOf(w.key).toEqualTypeOf<{ c: string }>();
        expectTypeOf(w.value).toEqualTypeOf<{
          c: number;
          s: number;
          lo: number;
          hi: number;
          avg: number;
          d: number;
          ids: string[];
          top: number[];
          firstId: string;
          lastTxn: Txn;
          custom: string;
        }>();
        return w;
      });
    });
  });

  it("computes AggregateResult and rejects aggregations of the wrong element type", () => {
    expectTypeOf<AggregateResult<Aggregation<Txn, number>>>().toEqualTypeOf<number>();
    expectTypeOf<
      AggregateResult<{ a: Aggregation<Txn, string>; b: Aggregation<unknown, number> }>
    >().toEqualTypeOf<{ a: string; b: number }>();
    within((txns) => {
      const windowed = txns.window(global());
      // @ts-expect-error an aggregation over numbers does not fit a stream of transactions
      windowed.aggregate(sum((x: number) => x));
      // @ts-expect-error amount is a number, not a string
      windowed.aggregate({ bad: collect((t) => t.amount.toUpperCase()) });
    });
  });
});

describe("stream types", () => {
  it("infers source types from the zod schema and follows map, flatMap, keyBy, filter guards", () => {
    pipeline("t", (p) => {
      const src = p.source("t", { schema: Txn });
      expectTypeOf(src).toEqualTypeOf<Stream<Txn>>();
      expectTypeOf(p.source("raw")).toEqualTypeOf<Stream<unknown>>();
      expectTypeOf(src.map((t) => t.amount)).toEqualTypeOf<Stream<number>>();
      expectTypeOf(src.flatMap((t) => [t.customerId])).toEqualTypeOf<Stream<string>>();
      expectTypeOf(src.keyBy((t) => t.customerId)).toEqualTypeOf<KeyedStream<Txn, string>>();
      const mixed = src.map((t) => (t.amount > 0 ? t.amount : t.customerId));
      expectTypeOf(mixed.filter((v): v is number => typeof v === "number")).toEqualTypeOf<Stream<number>>();
      expectTypeOf(p.deadLetters()).toEqualTypeOf<Stream<DeadLetterRecord>>();
      const results = src
        .withTimestamps((t) => t.ts)
        .keyBy((t) => t.amount)
        .window(tumbling(5))
        .aggregate(count());
      expectTypeOf(results.lateData()).toEqualTypeOf<Stream<Txn, number>>();
      const keyed = src.keyBy((t) => t.customerId);
      expectTypeOf(keyed.map((t) => t.amount)).toEqualTypeOf<Stream<number, string>>();
      expectTypeOf(keyed.filter((t) => t.amount > 0).keyBy((t) => t.ts)).toEqualTypeOf<
        KeyedStream<Txn, number>
      >();
      expectTypeOf(src.union(keyed)).toEqualTypeOf<Stream<Txn, string | null>>();
      // @ts-expect-error union needs streams of the same element type
      src.union(src.map((t) => t.amount));
      src.sink("o");
    }).build();
  });
});

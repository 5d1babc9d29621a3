import v8 from "node:v8";
import type { AggregationSpec, FnRef, UserFn } from "@tributary/sdk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Aggregator } from "../../src/aggregations/aggregator.ts";
import {
  addToExactSum,
  createExactSum,
  exactMeanValue,
  exactSumOf,
} from "../../src/aggregations/exact-sum.ts";
import { makeAggregator } from "../../src/aggregations/make-aggregator.ts";
import { compareByTimeThenIdentity, type StreamRecord } from "../../src/record.ts";

// ---- Records and a function registry ----

interface Elem {
  x: number;
  tag: string;
}

const ref = (id: string): FnRef => ({ id, source: id, callSite: null });

const fns = new Map<string, UserFn>([
  ["x", ((v: Elem) => v.x) as UserFn],
  ["tag", ((v: Elem) => v.tag) as UserFn],
  ["pair", ((v: Elem) => ({ t: v.tag, big: v.x > 0 })) as UserFn],
  // A user combiner: sum of integer parts and the set of tags (associative and commutative).
  ["c.create", (() => ({ n: 0, tags: [] as string[] })) as UserFn],
  [
    "c.add",
    ((acc: { n: number; tags: string[] }, v: Elem) => {
      acc.n += Math.trunc(v.x) % 1000;
      if (!acc.tags.includes(v.tag)) acc.tags.push(v.tag);
      return acc;
    }) as UserFn,
  ],
  [
    "c.merge",
    ((a: { n: number; tags: string[] }, b: { n: number; tags: string[] }) => ({
      n: a.n + b.n,
      tags: [...new Set([...a.tags, ...b.tags])],
    })) as UserFn,
  ],
  [
    "c.extract",
    ((acc: { n: number; tags: string[] }) => ({ n: acc.n, tags: [...acc.tags].sort() })) as UserFn,
  ],
]);

const specs: Record<string, AggregationSpec> = {
  count: { kind: "count" },
  sum: { kind: "sum", input: ref("x") },
  min: { kind: "min", input: ref("x") },
  max: { kind: "max", input: ref("x") },
  mean: { kind: "mean", input: ref("x") },
  countDistinct: { kind: "countDistinct", input: ref("pair") },
  collect: { kind: "collect", input: null },
  collectTags: { kind: "collect", input: ref("tag") },
  top3: { kind: "topK", k: 3, input: ref("x") },
  first: { kind: "first", input: null },
  lastTag: { kind: "last", input: ref("tag") },
  combine: {
    kind: "combine",
    create: ref("c.create"),
    add: ref("c.add"),
    merge: ref("c.merge"),
    extract: ref("c.extract"),
  },
};

const single = (spec: AggregationSpec): Aggregator =>
  makeAggregator({ shape: "single", aggregation: spec }, fns);

/** Records with unique identities; few distinct ts and x values so that ties are common. */
const recordsArb = fc
  .array(
    fc.record({
      ts: fc.integer({ min: -3, max: 3 }),
      partition: fc.integer({ min: 0, max: 2 }),
      x: fc.oneof(
        fc.integer({ min: -5, max: 5 }),
        fc.constantFrom(-0, 0.1, 1e308, -1e308, 2 ** -1074, Number.MAX_VALUE, -Number.MAX_VALUE),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
      ),
      tag: fc.constantFrom("a", "b", "c"),
    }),
    { maxLength: 25 },
  )
  .map((rows) =>
    rows.map(
      (r, offset): StreamRecord => ({
        value: { x: r.x, tag: r.tag } satisfies Elem,
        ts: r.ts,
        w: Number.NEGATIVE_INFINITY,
        id: ["src", r.partition, offset],
      }),
    ),
  );

/** Add records in the given order, split at `cuts` into partial accumulators, merged as a random tree. */
function aggregateAsTree(
  agg: Aggregator,
  records: readonly StreamRecord[],
  cuts: readonly number[],
  shape: readonly number[],
  roundTrip: readonly boolean[],
): unknown {
  const clone = (acc: unknown, i: number) =>
    roundTrip[i % Math.max(1, roundTrip.length)] ? v8.deserialize(v8.serialize(acc)) : acc;
  const bounds = [...new Set([0, ...cuts.map((c) => c % (records.length + 1)), records.length])].sort(
    (a, b) => a - b,
  );
  const accs: unknown[] = [];
  for (let i = 1; i < bounds.length; i++) {
    let acc = agg.create();
    for (const [j, r] of records.slice(bounds[i - 1], bounds[i]).entries()) {
      acc = agg.add(j === 1 ? clone(acc, i) : acc, r);
    }
    accs.push(clone(acc, i + 1));
  }
  if (accs.length === 0) accs.push(agg.create());
  let step = 0;
  while (accs.length > 1) {
    const j = shape.length === 0 ? 0 : shape[step % shape.length]! % (accs.length - 1);
    accs.splice(j, 2, agg.merge(accs[j], clone(accs[j + 1], step)));
    step++;
  }
  return agg.extract(accs[0]);
}

const sequential = (agg: Aggregator, records: readonly StreamRecord[]): unknown => {
  let acc = agg.create();
  for (const r of records) acc = agg.add(acc, r);
  return agg.extract(acc);
};

describe("built-in aggregations: order and merge-tree independence", () => {
  for (const [name, spec] of Object.entries(specs)) {
    it(`${name}: same result for any permutation, split and merge tree (with v8 round trips)`, () => {
      fc.assert(
        fc.property(
          recordsArb.chain((rs) =>
            fc.tuple(fc.constant(rs), fc.shuffledSubarray(rs, { minLength: rs.length })),
          ),
          fc.array(fc.nat(), { maxLength: 6 }),
          fc.array(fc.nat(), { maxLength: 6 }),
          fc.array(fc.boolean(), { maxLength: 4 }),
          ([records, permuted], cuts, shape, roundTrip) => {
            const expected = sequential(single(spec), records);
            expect(aggregateAsTree(single(spec), permuted, cuts, shape, roundTrip)).toStrictEqual(expected);
          },
        ),
        { numRuns: 150 },
      );
    });
  }
});

describe("built-in aggregations: results", () => {
  const xs = (rs: readonly StreamRecord[]) => rs.map((r) => (r.value as Elem).x);
  const sorted = (rs: readonly StreamRecord[]) => [...rs].sort(compareByTimeThenIdentity);

  it("match straightforward references", () => {
    fc.assert(
      fc.property(recordsArb, (records) => {
        const run = (spec: AggregationSpec) => sequential(single(spec), records);
        const values = xs(records);
        const n = records.length;
        expect(run(specs.count!)).toBe(n);
        expect(run(specs.sum!)).toBe(exactSumOf(values));
        expect(run(specs.min!)).toBe(n ? Math.min(...values) : null);
        expect(run(specs.max!)).toBe(n ? Math.max(...values) : null);
        // Exactly rounded (exactSumOf(values) / n would round twice); checked in depth in exact-sum.test.ts.
        const meanAcc = createExactSum();
        for (const v of values) addToExactSum(meanAcc, v);
        expect(run(specs.mean!)).toBe(n ? exactMeanValue(meanAcc, n) : null);
        const pairs = new Set(records.map((r) => `${(r.value as Elem).tag}/${(r.value as Elem).x > 0}`));
        expect(run(specs.countDistinct!)).toBe(pairs.size);
        expect(run(specs.collect!)).toStrictEqual(sorted(records).map((r) => r.value));
        expect(run(specs.collectTags!)).toStrictEqual(sorted(records).map((r) => (r.value as Elem).tag));
        const ranked = sorted(records).sort((a, b) =>
          (a.value as Elem).x - (b.value as Elem).x > 0
            ? -1
            : (a.value as Elem).x < (b.value as Elem).x
              ? 1
              : 0,
        );
        expect(run(specs.top3!)).toStrictEqual(ranked.slice(0, 3).map((r) => (r.value as Elem).x));
        expect(run(specs.first!)).toStrictEqual(n ? sorted(records)[0]!.value : null);
        expect(run(specs.lastTag!)).toStrictEqual(n ? (sorted(records)[n - 1]!.value as Elem).tag : null);
      }),
      { numRuns: 200 },
    );
  });

  const rec = (x: number, ts: number, offset: number, tag = "a"): StreamRecord => ({
    value: { x, tag },
    ts,
    w: 0,
    id: ["s", 0, offset],
  });

  it("sum and mean are exact where naive addition is not", () => {
    const rs = [rec(1e308, 0, 0), rec(1, 0, 1), rec(-1e308, 0, 2)];
    expect(sequential(single(specs.sum!), rs)).toBe(1);
    expect(sequential(single(specs.mean!), rs)).toBe(1 / 3);
  });

  it("topK breaks ties by ts, then identity, and returns the numbers descending", () => {
    const agg = single({ kind: "topK", k: 2, input: ref("x") });
    const rs = [rec(5, 2, 0, "late"), rec(5, 1, 1, "early"), rec(7, 9, 2), rec(-0, 0, 3), rec(0, 0, 4)];
    expect(sequential(agg, rs)).toStrictEqual([7, 5]);
    // Equal values -0 and 0: the earlier identity wins the single slot, in any order.
    const zeros = single({ kind: "topK", k: 1, input: ref("x") });
    expect(sequential(zeros, [rec(0, 0, 4), rec(-0, 0, 3)])).toStrictEqual([-0]);
    expect(sequential(zeros, [rec(-0, 0, 3), rec(0, 0, 4)])).toStrictEqual([-0]);
  });

  it("empty accumulators extract to neutral values", () => {
    const empty = (spec: AggregationSpec) => {
      const a = single(spec);
      return a.extract(a.create());
    };
    expect(empty(specs.count!)).toBe(0);
    expect(empty(specs.sum!)).toBe(0);
    expect(empty(specs.min!)).toBeNull();
    expect(empty(specs.mean!)).toBeNull();
    expect(empty(specs.countDistinct!)).toBe(0);
    expect(empty(specs.collect!)).toStrictEqual([]);
    expect(empty(specs.top3!)).toStrictEqual([]);
    expect(empty(specs.first!)).toBeNull();
  });

  it("sum, min and max mutate their accumulator in place", () => {
    for (const spec of [specs.sum!, specs.min!, specs.max!]) {
      const a = single(spec);
      const acc = a.create();
      expect(a.add(acc, rec(1, 0, 0))).toBe(acc);
      expect(a.add(acc, rec(2, 0, 1))).toBe(acc);
    }
  });

  it("combine passes the element value to add", () => {
    const rs = [rec(12.7, 0, 0, "b"), rec(3, 1, 1, "a"), rec(-2, 2, 2, "b")];
    expect(sequential(single(specs.combine!), rs)).toStrictEqual({ n: 13, tags: ["a", "b"] });
  });
});

describe("makeAggregator", () => {
  it("builds fields in order, each with its own accumulator", () => {
    const agg = makeAggregator(
      {
        shape: "fields",
        fields: { total: specs.sum!, n: specs.count!, top: { kind: "topK", k: 1, input: ref("x") } },
      },
      fns,
    );
    const acc = agg.create();
    const out = agg.extract(
      agg.merge(
        agg.add(acc, { value: { x: 2, tag: "a" }, ts: 0, w: 0, id: ["s", 0, 0] }),
        agg.add(agg.create(), { value: { x: 5, tag: "a" }, ts: 0, w: 0, id: ["s", 0, 1] }),
      ),
    );
    expect(out).toStrictEqual({ total: 7, n: 2, top: [5] });
    expect(Object.keys(out as object)).toStrictEqual(["total", "n", "top"]);
  });

  it("names the missing function id, its role and its call site", () => {
    const missing: FnRef = {
      id: "fn:amount#3",
      source: "(v) => v.amount",
      callSite: { file: "p.ts", line: 4, column: 9 },
    };
    expect(() =>
      makeAggregator({ shape: "fields", fields: { avg: { kind: "mean", input: missing } } }, fns),
    ).toThrow(
      /Function "fn:amount#3" \(defined at p\.ts:4:9\), the input of mean \(field "avg"\), is not in the function registry/,
    );
    expect(() =>
      makeAggregator(
        {
          shape: "single",
          aggregation: {
            ...(specs.combine as Extract<AggregationSpec, { kind: "combine" }>),
            merge: ref("nope"),
          },
        },
        fns,
      ),
    ).toThrow(/"nope".*merge of combine/);
  });
});

describe("bad input", () => {
  const record = (value: unknown): StreamRecord => ({ value, ts: 0, w: 0, id: ["s", 0, 0] });
  const identity = new Map<string, UserFn>([["id", ((v: unknown) => v) as UserFn]]);
  const build = (spec: AggregationSpec) => makeAggregator({ shape: "single", aggregation: spec }, identity);

  it("sum, mean, min, max and topK need numbers, and say which value was wrong", () => {
    for (const kind of ["sum", "mean", "min", "max"] as const) {
      const agg = build({ kind, input: ref("id") });
      expect(() => agg.add(agg.create(), record("12"))).toThrow(TypeError);
      expect(() => agg.add(agg.create(), record("12"))).toThrow(
        `${kind} needs numbers, but its input returned "12" (a string)`,
      );
    }
    const sum = build({ kind: "sum", input: ref("id") });
    expect(() => sum.add(sum.create(), record(undefined))).toThrow(/returned undefined/);
    expect(() => sum.add(sum.create(), record({ amount: 3 }))).toThrow('returned {"amount":3} (an object)');
    const top = build({ kind: "topK", k: 2, input: ref("id") });
    expect(() => top.add(top.create(), record(Number.NaN))).toThrow(/NaN/);
  });

  it("countDistinct rejects values that are not JSON", () => {
    const agg = build({ kind: "countDistinct", input: ref("id") });
    expect(() => agg.add(agg.create(), record({ a: [undefined] }))).toThrow(/\$\.a\[0\] is not JSON/);
  });

  it("sum propagates infinities and NaN as fsum does", () => {
    const agg = build({ kind: "sum", input: ref("id") });
    const sumOf = (xs: number[]) => sequential(agg, xs.map(record));
    expect(sumOf([1, Number.POSITIVE_INFINITY])).toBe(Number.POSITIVE_INFINITY);
    expect(sumOf([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])).toBeNaN();
  });
});

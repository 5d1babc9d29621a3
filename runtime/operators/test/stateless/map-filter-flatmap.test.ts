import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FilterOperator } from "../../src/stateless/filter.ts";
import { FlatMapOperator } from "../../src/stateless/flat-map.ts";
import { MapOperator } from "../../src/stateless/map.ts";
import { UserFunctionError } from "../../src/stateless/user-function-error.ts";
import { Collector, fnRef, records } from "./helpers.ts";

const ints = fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 60 });
const boom = (v: number) => {
  if (v % 7 === 0) throw new Error(`no multiples of 7: ${v}`);
  return v;
};

describe("MapOperator", () => {
  it("applies fn and keeps ts, w, id and key; dead-letters throwing elements when asked", () => {
    fc.assert(
      fc.property(ints, (xs) => {
        const op = new MapOperator({
          nodeId: "m",
          fn: (v) => boom(v as number) * 2,
          fnRef: fnRef("f1"),
          onError: "dead-letter",
        });
        const out = new Collector();
        const input = records(xs).map((r) => ({ ...r, w: r.ts - 3, key: "k", keyEnc: '"k"' }));
        op.processBatch(input, out);
        const ok = input.filter((r) => (r.value as number) % 7 !== 0);
        expect(out.emitted).toEqual(ok.map((r) => ({ ...r, value: (r.value as number) * 2 })));
        expect(out.dead.map((d) => d.id)).toEqual(
          input.filter((r) => (r.value as number) % 7 === 0).map((r) => r.id),
        );
        for (const d of out.dead) {
          expect(d).toMatchObject({ nodeId: "m", reason: "user-function-threw" });
          expect(d.message).toContain("pipeline.ts:12:7");
          expect(d.message).toContain("no multiples of 7");
        }
        expect(op.counters).toEqual({
          in: xs.length,
          out: ok.length,
          filtered: 0,
          droppedLate: 0,
          deadLettered: out.dead.length,
        });
      }),
      { numRuns: 200 },
    );
  });

  it("fails with a UserFunctionError naming node, call site, element and the fix by default", () => {
    const op = new MapOperator({ nodeId: "parse", fn: (v) => boom(v as number), fnRef: fnRef("f1") });
    const out = new Collector();
    let err: unknown;
    try {
      op.processBatch(records([1, 14, 2]), out);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserFunctionError);
    const e = err as UserFunctionError;
    expect(e.nodeId).toBe("parse");
    expect(e.elementId).toEqual(["src", 0, 1]);
    expect(e.message).toContain("map node 'parse' (function at pipeline.ts:12:7)");
    expect(e.message).toContain('["src",0,1]');
    expect(e.message).toContain("no multiples of 7: 14");
    expect(e.message).toContain("onError: 'dead-letter'");
    expect(out.emitted).toHaveLength(1);
  });
});

describe("FilterOperator", () => {
  it("forwards exactly the elements the predicate accepts; in = out + filtered + deadLettered", () => {
    fc.assert(
      fc.property(ints, (xs) => {
        const op = new FilterOperator({
          nodeId: "f",
          fn: (v) => boom(v as number) > 0,
          onError: "dead-letter",
        });
        const out = new Collector();
        const input = records(xs);
        op.processBatch(input, out);
        const keep = input.filter((r) => (r.value as number) % 7 !== 0 && (r.value as number) > 0);
        expect(out.emitted).toEqual(keep);
        if (keep.length > 0) expect(out.emitted[0]).toBe(keep[0]);
        const c = op.counters;
        expect(c.in).toBe(c.out + c.filtered + c.deadLettered);
        expect(c.deadLettered).toBe(xs.filter((x) => x % 7 === 0).length);
      }),
      { numRuns: 200 },
    );
  });
});

describe("FlatMapOperator", () => {
  it("numbers outputs [...id, i], counts empty results as filtered, and is all-or-nothing per element", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 }), (ns) => {
        const op = new FlatMapOperator({
          nodeId: "fm",
          onError: "dead-letter",
          // n copies of n; n = 5 throws after yielding two values; n = 4 returns a generator.
          fn: (v) => {
            const n = v as number;
            if (n === 5) {
              return (function* () {
                yield 1;
                yield 2;
                throw new Error("halfway");
              })();
            }
            if (n === 4) {
              return (function* () {
                for (let i = 0; i < 4; i++) yield `g${i}`;
              })();
            }
            return Array.from({ length: n }, () => n);
          },
        });
        const out = new Collector();
        const input = records(ns).map((r) => ({ ...r, key: 1, keyEnc: "1" }));
        op.processBatch(input, out);
        const expected = input.flatMap((r) => {
          const n = r.value as number;
          if (n === 5) return [];
          const vals = n === 4 ? ["g0", "g1", "g2", "g3"] : Array.from({ length: n }, () => n);
          return vals.map((value, i) => ({ value, ts: r.ts, w: r.w, id: [...r.id, i], key: 1, keyEnc: "1" }));
        });
        expect(out.emitted).toEqual(expected);
        const c = op.counters;
        expect(c.out).toBe(expected.length);
        expect(c.filtered).toBe(ns.filter((n) => n === 0).length);
        expect(c.deadLettered).toBe(ns.filter((n) => n === 5).length);
        expect(c.in).toBe(ns.length);
      }),
      { numRuns: 200 },
    );
  });

  it("treats a non-iterable (or string) result as a failing function", () => {
    const op = new FlatMapOperator({ nodeId: "fm", fn: (v) => v, onError: "dead-letter" });
    const out = new Collector();
    op.processBatch(records([42, "abc", null, [1]]), out);
    expect(out.emitted.map((r) => r.value)).toEqual([1]);
    expect(out.dead.map((d) => d.id[2])).toEqual([0, 1, 2]);
    expect(out.dead[0]!.message).toContain("must return an iterable");
  });
});

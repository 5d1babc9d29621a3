import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalKey } from "../../src/keys/canonical-key.ts";
import { KeyByOperator } from "../../src/stateless/key-by.ts";
import { UserFunctionError } from "../../src/stateless/user-function-error.ts";
import { Collector, fnRef, records } from "./helpers.ts";

describe("KeyByOperator", () => {
  it("sets key and its canonical encoding; keeps value, ts, w, id", () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 30 }), (values) => {
        const op = new KeyByOperator({ nodeId: "k", fn: (v) => v, encodeKey: canonicalKey });
        const out = new Collector();
        const input = records(values);
        op.processBatch(input, out);
        expect(out.emitted).toEqual(
          input.map((r) => ({ ...r, key: r.value, keyEnc: canonicalKey(r.value) })),
        );
        expect(op.counters.out).toBe(values.length);
      }),
      { numRuns: 150 },
    );
  });

  it("dead-letters undefined and unencodable keys with reason undefined-key, whatever onError says", () => {
    const op = new KeyByOperator({
      nodeId: "byUser",
      fn: (v) => (v as { user?: unknown }).user,
      fnRef: fnRef("k1"),
      encodeKey: canonicalKey,
    });
    const out = new Collector();
    op.processBatch(records([{ user: "a" }, {}, { user: () => 1 }, { user: null }]), out);
    expect(out.emitted.map((r) => r.keyEnc)).toEqual([canonicalKey("a"), canonicalKey(null)]);
    expect(out.dead.map((d) => [d.reason, d.id[2]])).toEqual([
      ["undefined-key", 1],
      ["undefined-key", 2],
    ]);
    expect(out.dead[0]!.message).toContain("keyBy node 'byUser'");
    expect(out.dead[0]!.message).toContain("returned undefined");
    expect(out.dead[0]!.message).toContain('["src",0,1]');
    expect(out.dead[1]!.message).toContain("not JSON");
    expect(op.counters).toMatchObject({ in: 4, out: 2, deadLettered: 2 });
  });

  it("handles a throwing key function per onError", () => {
    const fn = () => {
      throw new Error("bad");
    };
    const failing = new KeyByOperator({ nodeId: "k", fn, encodeKey: canonicalKey });
    expect(() => failing.processBatch(records([1]), new Collector())).toThrow(UserFunctionError);
    const dl = new KeyByOperator({ nodeId: "k", fn, encodeKey: canonicalKey, onError: "dead-letter" });
    const out = new Collector();
    dl.processBatch(records([1]), out);
    expect(out.dead[0]!.reason).toBe("user-function-threw");
  });
});

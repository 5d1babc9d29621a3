import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalKey, KeyError } from "../../src/keys/canonical-key.ts";

function compareCodeUnits(a: string, b: string): number {
  // Compare UTF-16 code units explicitly (not localeCompare).
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * Reference encoding. Objects cannot be rebuilt with sorted keys (JS lists integer-like keys
 * first), so this serializes sorted entry lists and lets JSON.stringify encode the leaves.
 */
function reference(v: unknown): string {
  if (typeof v === "number") return JSON.stringify(v === 0 ? 0 : v);
  if (Array.isArray(v)) return "[" + v.map(reference).join(",") + "]";
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v).sort(([a], [b]) => compareCodeUnits(a, b));
    return "{" + entries.map(([k, x]) => JSON.stringify(k) + ":" + reference(x)).join(",") + "}";
  }
  return JSON.stringify(v);
}

/** Shuffle object keys recursively (a different insertion order, same JSON value). */
function reorder(v: unknown, seed: number): unknown {
  if (Array.isArray(v)) return v.map((x) => reorder(x, seed));
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v);
    const rotated = entries
      .slice(seed % (entries.length || 1))
      .concat(entries.slice(0, seed % (entries.length || 1)));
    const out: Record<string, unknown> = {};
    for (const [k, x] of rotated.reverse())
      Object.defineProperty(out, k, { value: reorder(x, seed), enumerable: true });
    return out;
  }
  return v;
}

const json = fc.jsonValue({ maxDepth: 3 });

describe("canonicalKey", () => {
  it("encodes known values", () => {
    expect(canonicalKey('a"b\n')).toBe('"a\\"b\\n"');
    expect(canonicalKey(-0)).toBe("0");
    expect(canonicalKey(1e21)).toBe("1e+21");
    expect(canonicalKey(0.1)).toBe("0.1");
    expect(canonicalKey(null)).toBe("null");
    expect(canonicalKey(true)).toBe("true");
    expect(canonicalKey({ b: [1, -0], a: { d: null, c: "x" } })).toBe('{"a":{"c":"x","d":null},"b":[1,0]}');
    // UTF-16 code-unit order: "Z" (0x5a) < "a" (0x61) < "é" (0xe9) < "😀" (0xd83d...) < "￿" (0xffff)
    expect(canonicalKey({ "\uffff": 1, "😀": 2, é: 3, a: 4, Z: 5 })).toBe('{"Z":5,"a":4,"é":3,"😀":2,"￿":1}');
  });

  it("equals a reference encoder built on JSON.stringify", () => {
    fc.assert(
      fc.property(json, (v) => {
        expect(canonicalKey(v)).toBe(reference(v));
      }),
      { numRuns: 300 },
    );
  });

  it("does not depend on object key order", () => {
    fc.assert(
      fc.property(json, fc.nat(10), (v, seed) => {
        expect(canonicalKey(reorder(v, seed))).toBe(canonicalKey(v));
      }),
      { numRuns: 200 },
    );
  });

  // A small domain, so that equal values come up often.
  const { small } = fc.letrec<{ small: unknown }>((tie) => ({
    small: fc.oneof(
      { depthSize: "small" },
      fc.constantFrom(0, -0, 1, "a", "", "0", null, true, false),
      fc.array(tie("small"), { maxLength: 2 }),
      fc.dictionary(fc.constantFrom("a", "b", "0"), tie("small"), { maxKeys: 2 }),
    ),
  }));

  it("equal encodings iff equal JSON values (deep equality, any key order, -0 = 0)", () => {
    fc.assert(
      fc.property(small, small, (a, b) => {
        const equal = isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
        expect(canonicalKey(a) === canonicalKey(b)).toBe(equal);
        // Round trip: parsing the encoding gives back an equal key.
        expect(canonicalKey(JSON.parse(canonicalKey(a)))).toBe(canonicalKey(a));
      }),
      { numRuns: 300 },
    );
  });

  it("encodes numbers in their shortest round-trip form", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const enc = canonicalKey(x);
        expect(Number(enc)).toBe(x === 0 ? 0 : x);
        expect(enc).toBe(JSON.stringify(x));
      }),
      { numRuns: 300 },
    );
  });

  const bad: [string, unknown, string][] = [
    ["undefined", undefined, "$"],
    ["NaN", Number.NaN, "$"],
    ["Infinity", Number.POSITIVE_INFINITY, "$"],
    ["a bigint", 10n, "$"],
    ["a symbol", Symbol("s"), "$"],
    ["a function", () => 1, "$"],
    ["nested undefined", { a: [1, 2, undefined] }, "$.a[2]"],
    ["nested NaN", [{ "x y": Number.NaN }], '$[0]["x y"]'],
    ["a Date", { when: new Date(0) }, "$.when"],
    ["a Map", new Map(), "$"],
    // biome-ignore lint/suspicious/noSparseArray: a hole is what this case tests
    ["a hole", [1, , 3], "$[1]"],
  ];
  it.each(bad)("rejects %s with a KeyError naming the path and the fix", (_, value, path) => {
    let caught: unknown;
    try {
      canonicalKey(value);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(KeyError);
    const err = caught as KeyError;
    expect(err.path).toBe(path);
    expect(err.message).toContain(`${path} is`);
    expect(err.message).toContain("return a JSON value from keyBy");
  });

  it("rejects cycles instead of overflowing the stack", () => {
    const a: unknown[] = [1];
    a.push({ back: a });
    expect(() => canonicalKey(a)).toThrow(/\$\[1\]\.back is a reference back/);
  });

  it("accepts shared (non-cyclic) references", () => {
    const shared = { x: 1 };
    expect(canonicalKey([shared, shared])).toBe('[{"x":1},{"x":1}]');
  });
});

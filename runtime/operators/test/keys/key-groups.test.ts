import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalKey } from "../../src/keys/canonical-key.ts";
import { keyGroupOf, keyGroupRangeOf, taskOf } from "../../src/keys/key-groups.ts";
import { murmur3x86_32OfString } from "../../src/keys/murmur3.ts";

describe("keyGroupOf", () => {
  it("is the floored modulo of the murmur3 hash read as a signed 32-bit integer", () => {
    // murmur3("hello") = 0x248bfa47 = 613153351 (published vector; positive as a signed int).
    expect(keyGroupOf("hello", 128)).toBe(613153351 % 128);
    expect(keyGroupOf("hello", 1000)).toBe(613153351 % 1000);
    // For a hash >= 2^31 the signed reading differs from the unsigned one unless m is a power of 2.
    const keys = Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i));
    const key = keys.find((k) => murmur3x86_32OfString(k) >= 2 ** 31);
    expect(key).toBeDefined();
    const signed = murmur3x86_32OfString(key!) - 2 ** 32;
    const floorMod = signed - 1000 * Math.floor(signed / 1000);
    expect(keyGroupOf(key!, 1000)).toBe(floorMod);
    expect(floorMod).not.toBe(murmur3x86_32OfString(key!) % 1000);
  });

  it("stays in [0, maxParallelism) and is deterministic", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 32768 }), (key, m) => {
        const enc = canonicalKey(key);
        const g = keyGroupOf(enc, m);
        expect(Number.isInteger(g) && g >= 0 && g < m).toBe(true);
        expect(keyGroupOf(enc, m)).toBe(g);
      }),
      { numRuns: 200 },
    );
  });

  it("agrees with reducing the hash modulo a divisor of maxParallelism", () => {
    // floorMod(h, 2m) mod m === floorMod(h, m): checks the reduction, not the hash.
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 16384 }), (s, m) => {
        expect(keyGroupOf(s, 2 * m) % m).toBe(keyGroupOf(s, m));
      }),
      { numRuns: 200 },
    );
  });

  it("spreads short keys roughly evenly over 128 key groups", () => {
    const counts = new Array<number>(128).fill(0);
    for (let i = 0; i < 12800; i++) counts[keyGroupOf(canonicalKey(`user-${i}`), 128)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(150);
  });

  it("rejects a bad maxParallelism with a message saying the valid range", () => {
    expect(() => keyGroupOf("x", 0)).toThrow(/\[1, 32768\]/);
    expect(() => keyGroupOf("x", 1.5)).toThrow(RangeError);
  });
});

describe("taskOf / keyGroupRangeOf", () => {
  const setup = fc
    .integer({ min: 1, max: 4096 })
    .chain((m) => fc.tuple(fc.constant(m), fc.integer({ min: 1, max: m })));

  it("matches Flink's formula on known points", () => {
    expect(taskOf(0, 4, 128)).toBe(0);
    expect(taskOf(31, 4, 128)).toBe(0);
    expect(taskOf(32, 4, 128)).toBe(1);
    expect(taskOf(127, 4, 128)).toBe(3);
    expect(taskOf(42, 3, 128)).toBe(0); // floor(126 / 128)
    expect(taskOf(43, 3, 128)).toBe(1); // floor(129 / 128)
  });

  it("each task owns exactly the key groups in its range, and ranges tile [0, m)", () => {
    fc.assert(
      fc.property(setup, ([m, p]) => {
        let next = 0;
        for (let t = 0; t < p; t++) {
          const { start, end } = keyGroupRangeOf(t, p, m);
          expect(start).toBe(next);
          expect(end).toBeGreaterThan(start); // p <= m: no task is empty
          next = end;
        }
        expect(next).toBe(m);
        for (let g = 0; g < m; g += Math.max(1, Math.floor(m / 64))) {
          const t = taskOf(g, p, m);
          const { start, end } = keyGroupRangeOf(t, p, m);
          expect(g >= start && g < end).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("is monotone in the key group", () => {
    fc.assert(
      fc.property(setup, fc.nat(), fc.nat(), ([m, p], a, b) => {
        const [g1, g2] = [a % m, b % m].sort((x, y) => x - y) as [number, number];
        expect(taskOf(g1, p, m)).toBeLessThanOrEqual(taskOf(g2, p, m));
      }),
      { numRuns: 200 },
    );
  });

  it("rejects out-of-range arguments", () => {
    expect(() => taskOf(128, 4, 128)).toThrow(/\[0, 128\)/);
    expect(() => taskOf(0, 0, 128)).toThrow(RangeError);
    expect(() => taskOf(0, 129, 128)).toThrow(RangeError);
    expect(() => keyGroupRangeOf(4, 4, 128)).toThrow(RangeError);
  });
});

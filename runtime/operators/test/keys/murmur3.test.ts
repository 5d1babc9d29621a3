import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { murmur3x86_32, murmur3x86_32OfString } from "../../src/keys/murmur3.ts";

const bytes = (...b: number[]) => new Uint8Array(b);

describe("murmur3x86_32", () => {
  // Published MurmurHash3_x86_32 test vectors (Ian Boyd, answer to "MurmurHash3 Test Vectors",
  // https://stackoverflow.com/a/31929528, checked there against Appleby's SMHasher).
  const vectors: [Uint8Array, number, number][] = [
    [bytes(), 0, 0],
    [bytes(), 1, 0x514e28b7],
    [bytes(), 0xffffffff, 0x81f16f39],
    [bytes(0xff, 0xff, 0xff, 0xff), 0, 0x76293b50],
    [bytes(0x21, 0x43, 0x65, 0x87), 0, 0xf55b516b],
    [bytes(0x21, 0x43, 0x65, 0x87), 0x5082edee, 0x2362f9de],
    [bytes(0x21, 0x43, 0x65), 0, 0x7e4a8634],
    [bytes(0x21, 0x43), 0, 0xa0f7b07a],
    [bytes(0x21), 0, 0x72661cf4],
    [bytes(0, 0, 0, 0), 0, 0x2362f9de],
    [bytes(0, 0, 0), 0, 0x85f0b427],
    [bytes(0, 0), 0, 0x30f4c306],
    [bytes(0), 0, 0x514e28b7],
  ];
  it.each(vectors)("hashes %o with seed %d to the published value", (input, seed, expected) => {
    expect(murmur3x86_32(input, seed)).toBe(expected);
  });

  it('hashes "hello" (seed 0) to 0x248bfa47, the published value', () => {
    expect(murmur3x86_32OfString("hello")).toBe(0x248bfa47);
    expect(murmur3x86_32(new TextEncoder().encode("hello"))).toBe(0x248bfa47);
  });

  it("string hashing equals hashing the UTF-8 bytes, ASCII or not", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" })),
        (s) => {
          const utf8 = new TextEncoder().encode(s);
          expect(murmur3x86_32OfString(s)).toBe(murmur3x86_32(utf8));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("only hashes the first `length` bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 8 }), (a, junk) => {
        const padded = new Uint8Array(a.length + junk.length);
        padded.set(a);
        padded.set(junk, a.length);
        expect(murmur3x86_32(padded, 0, a.length)).toBe(murmur3x86_32(a));
      }),
      { numRuns: 100 },
    );
  });
});

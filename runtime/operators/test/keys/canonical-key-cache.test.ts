import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalKey } from "../../src/index.ts";

describe("canonicalKey string cache", () => {
  it("returns the same encoding as JSON.stringify for strings, repeated or not, past the cache's bound", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 300 }), (keys) => {
        for (const k of [...keys, ...keys]) expect(canonicalKey(k)).toBe(JSON.stringify(k));
      }),
    );
    // Fill the cache beyond its bound: encodings stay correct after it is cleared.
    for (let i = 0; i < 70_000; i++) expect(canonicalKey(`key-${i}`)).toBe(`"key-${i}"`);
    expect(canonicalKey("key-1")).toBe('"key-1"');
  });
});

/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby's `MurmurHash3_x86_32`): the function Guava's
 * `Hashing.murmur3_32_fixed()` computes, so generated Java jobs can place keys exactly as we do.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixBlock(h: number, block: number): number {
  let k = Math.imul(block, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function mixTail(h: number, tail: number): number {
  let k = Math.imul(tail, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  return h ^ k;
}

function finish(h: number, byteLength: number): number {
  h ^= byteLength;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * MurmurHash3 x86 32-bit of `bytes[0, length)`, as an unsigned 32-bit integer.
 *
 * @example
 * murmur3x86_32(new TextEncoder().encode("hello")); // 0x248bfa47
 */
export function murmur3x86_32(bytes: Uint8Array, seed = 0, length = bytes.length): number {
  let h = seed | 0;
  const blocksEnd = length & ~3;
  for (let i = 0; i < blocksEnd; i += 4) {
    h = mixBlock(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  }
  const rest = length & 3;
  if (rest > 0) {
    let tail = bytes[blocksEnd]!;
    if (rest > 1) tail |= bytes[blocksEnd + 1]! << 8;
    if (rest > 2) tail |= bytes[blocksEnd + 2]! << 16;
    h = mixTail(h, tail);
  }
  return finish(h, length);
}

const encoder = new TextEncoder();
let scratch = new Uint8Array(256);

/**
 * MurmurHash3 x86 32-bit of the UTF-8 bytes of `text`, as an unsigned 32-bit integer.
 * ASCII strings are hashed straight from their char codes, without encoding or allocating.
 * Lone surrogates encode as U+FFFD (canonical keys never contain them: JSON escapes them).
 */
export function murmur3x86_32OfString(text: string, seed = 0): number {
  const n = text.length;
  let h = seed | 0;
  const blocksEnd = n & ~3;
  let i = 0;
  for (; i < blocksEnd; i += 4) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    const d = text.charCodeAt(i + 3);
    if ((a | b | c | d) > 0x7f) return hashUtf8(text, seed);
    h = mixBlock(h, a | (b << 8) | (c << 16) | (d << 24));
  }
  const rest = n - blocksEnd;
  if (rest > 0) {
    const a = text.charCodeAt(i);
    const b = rest > 1 ? text.charCodeAt(i + 1) : 0;
    const c = rest > 2 ? text.charCodeAt(i + 2) : 0;
    if ((a | b | c) > 0x7f) return hashUtf8(text, seed);
    h = mixTail(h, a | (b << 8) | (c << 16));
  }
  return finish(h, n);
}

function hashUtf8(text: string, seed: number): number {
  // A UTF-16 code unit becomes at most 3 UTF-8 bytes.
  const needed = text.length * 3;
  if (scratch.length < needed) scratch = new Uint8Array(Math.max(needed, scratch.length * 2));
  const { written } = encoder.encodeInto(text, scratch);
  return murmur3x86_32(scratch, seed, written);
}

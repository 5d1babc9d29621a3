/**
 * Hash grouping over typed arrays: interning of canonical key encodings to dense ids, and an
 * open-addressing table from (key id, window start) to a dense group id.
 */

/** Dense ids for the distinct strings of a batch, in order of first appearance. */
export function internKeys(keyEnc: readonly string[], n: number): { ids: Int32Array; distinct: string[] } {
  const ids = new Int32Array(n);
  const map = new Map<string, number>();
  const distinct: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = keyEnc[i]!;
    let id = map.get(k);
    if (id === undefined) {
      id = distinct.length;
      map.set(k, id);
      distinct.push(k);
    }
    ids[i] = id;
  }
  return { ids, distinct };
}

export interface Groups {
  /** Group of each pair. */
  readonly gid: Int32Array;
  readonly count: number;
  /** Key id and window start of each group. */
  readonly key: Int32Array;
  readonly start: Float64Array;
}

/** Groups pairs `(key[j], start[j])`, j < n, with linear probing in typed arrays. */
export function groupByKeyAndStart(key: Int32Array, start: Float64Array, n: number): Groups {
  let cap = 16;
  while (cap < n * 2) cap *= 2;
  const mask = cap - 1;
  const table = new Int32Array(cap).fill(-1);
  const gid = new Int32Array(n);
  const gKey = new Int32Array(n);
  const gStart = new Float64Array(n);
  let count = 0;
  for (let j = 0; j < n; j++) {
    const k = key[j]!;
    const s = start[j]!;
    // ToInt32 of a safe integer keeps its low 32 bits; the high bits come from the division.
    let h = (Math.imul(k, 0x9e3779b1) ^ (s | 0) ^ Math.imul((s / 4294967296) | 0, 0x85ebca6b)) & mask;
    for (;;) {
      const g = table[h]!;
      if (g === -1) {
        table[h] = count;
        gKey[count] = k;
        gStart[count] = s;
        gid[j] = count++;
        break;
      }
      if (gKey[g] === k && gStart[g] === s) {
        gid[j] = g;
        break;
      }
      h = (h + 1) & mask;
    }
  }
  return { gid, count, key: gKey, start: gStart };
}

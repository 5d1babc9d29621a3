import type { Identity } from "../runner.ts";

/**
 * Lexicographic order on identities (SEMANTICS.md §1 tie-break): component by component,
 * numbers before strings, numbers numerically, strings by code units; a prefix comes first.
 */
export function compareIdentities(a: Identity, b: Identity): number {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x !== typeof y) return typeof x === "number" ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Order by event time, then identity. */
export function compareByTsThenIdentity(
  a: { ts: number; id: Identity },
  b: { ts: number; id: Identity },
): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  return compareIdentities(a.id, b.id);
}

/**
 * What flows between operators: an element with its event timestamp, its element watermark
 * (SEMANTICS.md §2) and its identity (§1).
 */

/**
 * Identity of an element, compared lexicographically (numbers before strings).
 * Source elements: `[source, partition, offset]`; output `i` of a flatMap appends `i`;
 * a window pane: `[nodeId, canonicalKey, windowStart, paneIndex]`.
 */
export type Identity = readonly (string | number)[];

export interface StreamRecord {
  /** The element: any JSON value. */
  readonly value: unknown;
  /** Event timestamp, integer ms. */
  readonly ts: number;
  /** Element watermark: the watermark of its source partition just before it was read. */
  readonly w: number;
  readonly id: Identity;
  /** Set by keyBy: the key and its canonical encoding (SEMANTICS.md §7). */
  readonly key?: unknown;
  readonly keyEnc?: string;
}

/**
 * A record its holder owns exclusively, which chained operators may rewrite in place
 * ({@link InPlaceOperator}). Internal to runners: a record becomes mutable only while a runner
 * moves it through a chain of stateless operators, from where it was created (a source read) to
 * the first operator that is not in the chain. Records that fan out to several consumers, or that
 * an operator may keep (in state, in an accumulator), are never mutated; everywhere else records
 * are the readonly {@link StreamRecord}. Runners create these with all six fields present (`key`
 * and `keyEnc` undefined until a keyBy sets them), so that every stage sees one object shape.
 */
export interface MutableStreamRecord extends StreamRecord {
  value: unknown;
  ts: number;
  w: number;
  id: Identity;
  key: unknown;
  keyEnc: string | undefined;
}

/** An element that could not be processed, with the reason. Nothing is dropped silently. */
export interface DeadLetter {
  /** Identity of the element (for source records: source, partition, offset). */
  readonly id: Identity;
  /** The node that rejected it. */
  readonly nodeId: string;
  /** Machine-readable reason. */
  readonly reason:
    | "undecodable"
    | "schema-violation"
    | "bad-timestamp"
    | "undefined-key"
    | "user-function-threw";
  /** Human-readable explanation: what happened and what to do. */
  readonly message: string;
  /** The raw input (string line) or the element value, when there is one. */
  readonly payload: unknown;
}

/** Lexicographic order on identities: numbers before strings, shorter prefix first. */
export function compareIdentity(a: Identity, b: Identity): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    const tx = typeof x;
    const ty = typeof y;
    if (tx !== ty) return tx === "number" ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Order by event time, then identity: the tie-break SEMANTICS.md §1 prescribes. */
export function compareByTimeThenIdentity(
  a: { ts: number; id: Identity },
  b: { ts: number; id: Identity },
): number {
  return a.ts - b.ts || compareIdentity(a.id, b.id);
}

import type { InPlaceOperator, Output } from "../operator.ts";
import type { MutableStreamRecord, StreamRecord } from "../record.ts";
import { StatelessBase, type StatelessOptions } from "./base.ts";
import {
  describeCall,
  errorMessage,
  formatIdentity,
  handleUserFunctionError,
} from "./user-function-error.ts";

/** Options of {@link KeyByOperator}: the key function and the canonical key encoding. */
export interface KeyByOptions extends StatelessOptions<unknown> {
  /** Canonical encoding of a key (SEMANTICS.md §7); throws for values that are not JSON. */
  readonly encodeKey: (key: unknown) => string;
}

/**
 * Sets `key = fn(value)` and `keyEnc = encodeKey(key)` on each element.
 *
 * A key that is `undefined` or cannot be encoded (not JSON) is bad input: the element goes to
 * the dead-letter output with reason `undefined-key` whatever `onError` says (that setting only
 * governs a key function that throws).
 */
export class KeyByOperator extends StatelessBase implements InPlaceOperator {
  readonly nodeKind = "keyBy";
  readonly #fn: (value: unknown) => unknown;
  readonly #encode: (key: unknown) => string;
  /** Scratch: the key and encoding {@link #keyOf} computed last (no allocation per record). */
  #key: unknown = null;
  #keyEnc = "";

  constructor(opts: KeyByOptions) {
    super(opts);
    this.#fn = opts.fn;
    this.#encode = opts.encodeKey;
  }

  processBatch(batch: readonly StreamRecord[], out: Output): void {
    const c = this.counters;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      c.in++;
      if (!this.#keyOf(r, out)) continue;
      c.out++;
      out.emit({ value: r.value, ts: r.ts, w: r.w, id: r.id, key: this.#key, keyEnc: this.#keyEnc });
    }
  }

  /** {@link processBatch} for chaining: `key` and `keyEnc` are written into the record. */
  processBatchInPlace(batch: MutableStreamRecord[], out: Output): void {
    const c = this.counters;
    const n = batch.length;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const r = batch[i]!;
      c.in++;
      if (!this.#keyOf(r, out)) continue;
      c.out++;
      r.key = this.#key;
      r.keyEnc = this.#keyEnc;
      batch[kept++] = r;
    }
    batch.length = kept;
  }

  /**
   * Keys one record: on success leaves the key and its encoding in `#key` and `#keyEnc`; on a
   * throwing function or a key that is undefined or not JSON, dead-letters or fails and returns
   * false.
   */
  #keyOf(r: StreamRecord, out: Output): boolean {
    let key: unknown;
    try {
      key = this.#fn(r.value);
    } catch (e) {
      handleUserFunctionError(this, r, e, out, this.counters);
      return false;
    }
    let keyEnc: string | undefined;
    let problem: string | undefined;
    if (key === undefined) {
      problem = "returned undefined";
    } else {
      try {
        keyEnc = this.#encode(key);
      } catch (e) {
        problem = `returned a key that is not JSON (${errorMessage(e)})`;
      }
    }
    if (keyEnc === undefined) {
      this.#badKey(r, problem ?? "returned an unencodable key", out);
      return false;
    }
    this.#key = key;
    this.#keyEnc = keyEnc;
    return true;
  }

  #badKey(r: StreamRecord, problem: string, out: Output): void {
    this.counters.deadLettered++;
    out.deadLetter({
      id: r.id,
      nodeId: this.nodeId,
      reason: "undefined-key",
      message:
        `the key function of ${describeCall(this)} ${problem} for element ${formatIdentity(r.id)}. ` +
        `Return a JSON value (use null for "no key"), or filter such elements out before keyBy.`,
      payload: r.value,
    });
  }
}

import type { Operator, Output } from "../operator.ts";
import type { StreamRecord } from "../record.ts";
import { StatelessBase, type StatelessOptions } from "./base.ts";
import { handleUserFunctionError } from "./user-function-error.ts";

/**
 * Emits every value of the iterable the user's `fn(value)` returns; output `i` gets identity
 * `[...id, i]` and the input's timestamp, watermark and key.
 *
 * An element is all-or-nothing: outputs are collected before any is emitted, so a function that
 * throws mid-iteration (or returns a non-iterable) emits nothing for that element and is handled
 * per `onError`. An element with no outputs is counted as `filtered`, so
 * `in = filtered + deadLettered + (elements with >= 1 output)` and `out` counts output records.
 */
export class FlatMapOperator extends StatelessBase implements Operator {
  readonly nodeKind = "flatMap";
  readonly #fn: (value: unknown) => unknown;
  /** Reused per element to hold outputs until the iterable is fully read. */
  readonly #buf: unknown[] = [];

  constructor(opts: StatelessOptions<unknown>) {
    super(opts);
    this.#fn = opts.fn;
  }

  processBatch(batch: readonly StreamRecord[], out: Output): void {
    const c = this.counters;
    const fn = this.#fn;
    const buf = this.#buf;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      c.in++;
      buf.length = 0;
      try {
        collect(fn(r.value), buf);
      } catch (e) {
        buf.length = 0;
        handleUserFunctionError(this, r, e, out, c);
        continue;
      }
      const n = buf.length;
      if (n === 0) {
        c.filtered++;
        continue;
      }
      c.out += n;
      for (let j = 0; j < n; j++) {
        out.emit({ value: buf[j], ts: r.ts, w: r.w, id: [...r.id, j], key: r.key, keyEnc: r.keyEnc });
      }
      buf.length = 0;
    }
  }
}

function collect(result: unknown, into: unknown[]): void {
  if (Array.isArray(result)) {
    for (let j = 0; j < result.length; j++) into.push(result[j]);
    return;
  }
  if (
    result === null ||
    result === undefined ||
    typeof result === "string" ||
    typeof (result as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    const got = result === null ? "null" : typeof result;
    throw new TypeError(
      `flatMap function must return an iterable of elements (e.g. an array; not a string), got ${got}`,
    );
  }
  for (const v of result as Iterable<unknown>) into.push(v);
}

import type { InPlaceOperator, Output } from "../operator.ts";
import type { MutableStreamRecord, StreamRecord } from "../record.ts";
import { StatelessBase, type StatelessOptions } from "./base.ts";
import { handleUserFunctionError } from "./user-function-error.ts";

/**
 * Applies the user's `fn(value)` to each element; timestamp, watermark, identity and key are kept.
 *
 * @example
 * ```ts
 * const op = new MapOperator({ nodeId: "double", fn: (v) => (v as number) * 2 });
 * ```
 */
export class MapOperator extends StatelessBase implements InPlaceOperator {
  readonly nodeKind = "map";
  readonly #fn: (value: unknown) => unknown;

  constructor(opts: StatelessOptions<unknown>) {
    super(opts);
    this.#fn = opts.fn;
  }

  processBatch(batch: readonly StreamRecord[], out: Output): void {
    const c = this.counters;
    const fn = this.#fn;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      c.in++;
      let value: unknown;
      try {
        value = fn(r.value);
      } catch (e) {
        handleUserFunctionError(this, r, e, out, c);
        continue;
      }
      c.out++;
      out.emit({ value, ts: r.ts, w: r.w, id: r.id, key: r.key, keyEnc: r.keyEnc });
    }
  }

  /** {@link processBatch} for chaining: the new value is written into the record. */
  processBatchInPlace(batch: MutableStreamRecord[], out: Output): void {
    const c = this.counters;
    const fn = this.#fn;
    const n = batch.length;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const r = batch[i]!;
      c.in++;
      let value: unknown;
      try {
        value = fn(r.value);
      } catch (e) {
        handleUserFunctionError(this, r, e, out, c);
        continue;
      }
      c.out++;
      r.value = value;
      batch[kept++] = r;
    }
    batch.length = kept;
  }
}

import type { InPlaceOperator, Output } from "../operator.ts";
import type { MutableStreamRecord, StreamRecord } from "../record.ts";
import { StatelessBase, type StatelessOptions } from "./base.ts";
import { handleUserFunctionError } from "./user-function-error.ts";

/**
 * Keeps the elements for which the user's `fn(value)` is truthy (the same record object is
 * forwarded); the others are counted as `filtered`.
 */
export class FilterOperator extends StatelessBase implements InPlaceOperator {
  readonly nodeKind = "filter";
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
      let keep: unknown;
      try {
        keep = fn(r.value);
      } catch (e) {
        handleUserFunctionError(this, r, e, out, c);
        continue;
      }
      if (keep) {
        c.out++;
        out.emit(r);
      } else {
        c.filtered++;
      }
    }
  }

  /** {@link processBatch} for chaining: the rejected records are removed from `batch`. */
  processBatchInPlace(batch: MutableStreamRecord[], out: Output): void {
    const c = this.counters;
    const fn = this.#fn;
    const n = batch.length;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const r = batch[i]!;
      c.in++;
      let keep: unknown;
      try {
        keep = fn(r.value);
      } catch (e) {
        handleUserFunctionError(this, r, e, out, c);
        continue;
      }
      if (keep) {
        c.out++;
        batch[kept++] = r;
      } else {
        c.filtered++;
      }
    }
    batch.length = kept;
  }
}

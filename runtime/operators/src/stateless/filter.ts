import type { Operator, Output } from "../operator.ts";
import type { StreamRecord } from "../record.ts";
import { StatelessBase, type StatelessOptions } from "./base.ts";
import { handleUserFunctionError } from "./user-function-error.ts";

/**
 * Keeps the elements for which the user's `fn(value)` is truthy (the same record object is
 * forwarded); the others are counted as `filtered`.
 */
export class FilterOperator extends StatelessBase implements Operator {
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
}

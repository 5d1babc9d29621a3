import type { FnRef, OnError } from "@tributary/sdk";
import { newCounters, type OperatorCounters, type Snapshot } from "../operator.ts";
import type { UserFunctionSite } from "./user-function-error.ts";

/** A user function of one element value, as map, filter, flatMap and keyBy call it. */
export type ValueFn<R = unknown> = (value: unknown) => R;

/** Constructor options shared by the operators that call one user function per element. */
export interface StatelessOptions<R> {
  readonly nodeId: string;
  readonly fn: ValueFn<R>;
  /** The function's reference in the IR, for error messages. */
  readonly fnRef?: FnRef | null;
  readonly onError?: OnError;
}

/** Counters, snapshot and the error site shared by the stateless operators. */
export abstract class StatelessBase implements UserFunctionSite {
  readonly counters: OperatorCounters = newCounters();
  readonly nodeId: string;
  readonly fn: FnRef | null;
  readonly onError: OnError;
  abstract readonly nodeKind: string;

  constructor(opts: StatelessOptions<unknown>) {
    this.nodeId = opts.nodeId;
    this.fn = opts.fnRef ?? null;
    this.onError = opts.onError ?? "fail";
  }

  /** Stateless operators do nothing on a watermark; the runner forwards it unchanged. */
  onWatermark(): void {}

  outputWatermark(watermark: number): number {
    return watermark;
  }

  snapshot(): Snapshot {
    return { counters: { ...this.counters } };
  }

  restore(snapshot: Snapshot): void {
    const c = (snapshot as { counters?: Partial<OperatorCounters> } | null)?.counters;
    if (c) Object.assign(this.counters, c);
  }
}

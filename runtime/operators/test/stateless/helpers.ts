import type { FnRef } from "@tributary/sdk";
import type { Output } from "../../src/operator.ts";
import type { DeadLetter, StreamRecord } from "../../src/record.ts";

export class Collector implements Output {
  readonly emitted: StreamRecord[] = [];
  readonly lateRecords: StreamRecord[] = [];
  readonly dead: DeadLetter[] = [];
  emit(r: StreamRecord): void {
    this.emitted.push(r);
  }
  late(r: StreamRecord): void {
    this.lateRecords.push(r);
  }
  deadLetter(d: DeadLetter): void {
    this.dead.push(d);
  }
}

export const fnRef = (id: string): FnRef => ({
  id,
  source: "(v) => v",
  callSite: { file: "pipeline.ts", line: 12, column: 7 },
});

/** Records from partition `p` of source "src", numbered from 0. */
export function records(values: readonly unknown[], p = 0): StreamRecord[] {
  return values.map((value, i) => ({ value, ts: i, w: Number.NEGATIVE_INFINITY, id: ["src", p, i] }));
}

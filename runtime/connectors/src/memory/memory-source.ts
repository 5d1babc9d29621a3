import { ConnectorError } from "../errors.ts";
import type { PartitionReader, Source, SourceItem } from "../source.ts";
import type { MemorySourceData, ScriptStep } from "./store.ts";

/**
 * A registered in-memory source. Offsets number the elements of a partition (0-based);
 * positions are the index of the next step. The data is captured when the source is created.
 */
export class MemorySource implements Source {
  readonly bounded = true;
  readonly description: string;

  constructor(
    uri: string,
    private readonly data: MemorySourceData,
  ) {
    const p = data.partitions.length;
    this.description = `${uri} (${data.scripted ? "scripted, " : ""}${p} partition${p === 1 ? "" : "s"})`;
  }

  async partitions(): Promise<number> {
    return this.data.partitions.length;
  }

  async open(partition: number, position: unknown | null): Promise<PartitionReader> {
    const steps = this.data.partitions[partition];
    if (steps === undefined) {
      throw new ConnectorError(
        this.description,
        `there is no partition ${partition}`,
        `Open 0 to ${this.data.partitions.length - 1}.`,
      );
    }
    const next = position ?? 0;
    if (typeof next !== "number" || !Number.isSafeInteger(next) || next < 0 || next > steps.length) {
      throw new ConnectorError(
        this.description,
        `cannot resume partition ${partition} from position ${JSON.stringify(position)}: expected a step index from 0 to ${steps.length}`,
        "Restore from a checkpoint taken with the same source registration, or start without one.",
      );
    }
    return new MemoryReader(steps, next);
  }
}

class MemoryReader implements PartitionReader {
  /** Elements before step `next` (the offset of the next element). */
  private offset: number;

  constructor(
    private readonly steps: readonly ScriptStep[],
    private next: number,
  ) {
    this.offset = 0;
    for (let i = 0; i < next; i++) if ("element" in steps[i]!) this.offset++;
  }

  async read(max: number): Promise<SourceItem[] | null> {
    if (this.next >= this.steps.length) return null;
    const out: SourceItem[] = [];
    while (out.length < max && this.next < this.steps.length) {
      const step = this.steps[this.next++]!;
      if ("element" in step) out.push({ kind: "element", offset: this.offset++, value: step.element });
      else out.push({ kind: "watermark", watermark: step.watermark });
    }
    return out;
  }

  position(): number {
    return this.next;
  }

  async close(): Promise<void> {}
}

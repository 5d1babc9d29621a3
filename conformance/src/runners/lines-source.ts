/**
 * Binds a {@link PartitionedInput} to a runner as a {@link Source}: one partition per list of raw
 * lines, each line decoded with `JSON.parse` as the JSON Lines file source does, with the
 * file source's identities (offset = 1-based line number). One deliberate difference from the
 * file source: an empty line is an (undecodable) element here, not skipped, because the suite's
 * input model says every line is an element (the reference model reads it that way).
 */
import type { PartitionReader, Source, SourceItem } from "@tributary/connectors";

export class LinesSource implements Source {
  readonly bounded = true;
  readonly description: string;

  constructor(
    name: string,
    private readonly partitionLines: readonly (readonly string[])[],
  ) {
    this.description = `conformance input ${name} (${partitionLines.length} partitions)`;
  }

  async partitions(): Promise<number> {
    return this.partitionLines.length;
  }

  async open(partition: number, position: unknown | null): Promise<PartitionReader> {
    const lines = this.partitionLines[partition];
    if (lines === undefined) throw new RangeError(`${this.description}: no partition ${partition}`);
    const next = position ?? 0;
    if (typeof next !== "number" || !Number.isSafeInteger(next) || next < 0 || next > lines.length)
      throw new RangeError(`${this.description}: bad position ${JSON.stringify(position)}`);
    return new LinesReader(lines, next);
  }
}

class LinesReader implements PartitionReader {
  constructor(
    private readonly lines: readonly string[],
    /** Index of the next line (= the number of lines read). */
    private next: number,
  ) {}

  async read(max: number): Promise<SourceItem[] | null> {
    if (this.next >= this.lines.length) return null;
    const out: SourceItem[] = [];
    while (out.length < max && this.next < this.lines.length) {
      const text = this.lines[this.next++]!;
      const offset = this.next; // 1-based line number
      try {
        out.push({ kind: "element", offset, value: JSON.parse(text) });
      } catch (e) {
        out.push({
          kind: "error",
          offset,
          reason: "undecodable",
          message: `line ${offset}: not valid JSON (${(e as Error).message})`,
          payload: text,
        });
      }
    }
    return out;
  }

  position(): number {
    return this.next;
  }

  async close(): Promise<void> {}
}

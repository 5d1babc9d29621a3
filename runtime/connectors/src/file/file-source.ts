import type { JsonSchema } from "@tributary/sdk";
import { ArrowPartitionReader, toArrowPosition } from "../arrow/arrow-reader.ts";
import { ConnectorError } from "../errors.ts";
import type { PartitionReader, Source } from "../source.ts";
import { csvCaster } from "./csv-cast.ts";
import { CsvPartitionReader } from "./csv-reader.ts";
import { JsonlPartitionReader } from "./jsonl-reader.ts";
import type { FilePartition } from "./paths.ts";
import { toFilePosition } from "./position.ts";

/**
 * A bounded source over files, one partition per file. Offsets are 1-based line numbers;
 * positions are {@link FilePosition}s (byte offset and line count), so resuming seeks directly.
 * Arrow IPC files (`.arrow`, `.arrows`) are read row by row: offsets are 1-based row numbers
 * across record batches, positions are `ArrowPosition`s (record batch index and row).
 */
export class FileSource implements Source {
  readonly bounded = true;
  readonly description: string;
  private readonly cast;

  constructor(
    uri: string,
    private readonly files: readonly FilePartition[],
    recordSchema: JsonSchema,
  ) {
    this.description = `${uri} (${files.length} partition${files.length === 1 ? "" : "s"})`;
    this.cast = csvCaster(recordSchema);
  }

  async partitions(): Promise<number> {
    return this.files.length;
  }

  async open(partition: number, position: unknown | null): Promise<PartitionReader> {
    const file = this.files[partition];
    if (file === undefined) {
      throw new ConnectorError(
        this.description,
        `there is no partition ${partition}`,
        `Open a partition from 0 to ${this.files.length - 1}.`,
      );
    }
    if (file.format === "arrow" || file.format === "arrows")
      return ArrowPartitionReader.open(
        file.path,
        file.display,
        file.format,
        toArrowPosition(position, file.display),
      );
    const start = position === null || position === undefined ? null : toFilePosition(position, file.display);
    return file.format === "csv"
      ? CsvPartitionReader.open(file.path, file.display, start, this.cast)
      : JsonlPartitionReader.open(file.path, file.display, start ?? { byte: 0, line: 0 });
  }
}

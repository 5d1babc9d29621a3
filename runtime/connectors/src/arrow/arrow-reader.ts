import { type FileHandle, open } from "node:fs/promises";
import {
  type AsyncRecordBatchFileReader,
  type AsyncRecordBatchStreamReader,
  type RecordBatch,
  RecordBatchReader,
} from "apache-arrow";
import { ConnectorError } from "../errors.ts";
import type { PartitionReader, SourceItem } from "../source.ts";
import { RowDecoder, UndecodableValue } from "./convert.ts";

/**
 * Resume position in an Arrow IPC file: the index of the record batch to continue in, the rows
 * of it already read, and the rows of the whole file before the position (so offsets, which are
 * 1-based row numbers across record batches, continue correctly).
 */
export interface ArrowPosition {
  readonly batch: number;
  readonly row: number;
  readonly rows: number;
}

export const ARROW_START: ArrowPosition = { batch: 0, row: 0, rows: 0 };

/** Checks that a checkpointed position is an {@link ArrowPosition}. */
export function toArrowPosition(position: unknown, file: string): ArrowPosition {
  if (position === null || position === undefined) return ARROW_START;
  const p = position as Partial<ArrowPosition>;
  const ok = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  if (typeof position === "object" && ok(p.batch) && ok(p.row) && ok(p.rows) && p.row! <= p.rows!)
    return { batch: p.batch!, row: p.row!, rows: p.rows! };
  throw new ConnectorError(
    `file source ${file}`,
    `cannot resume from position ${JSON.stringify(position)}: expected { batch, row, rows } with non-negative integers`,
    "Restore from a checkpoint taken with the same source binding, or start without one.",
  );
}

type Reader = AsyncRecordBatchFileReader | AsyncRecordBatchStreamReader;

/**
 * Reads one Arrow IPC file, in the file format (`.arrow`, random access to record batches) or
 * the stream format (`.arrows`, batches read in order). Each row is one element; its offset is its
 * 1-based row number across the record batches. A row that has no JSON equivalent becomes an
 * `error` item (reason `undecodable`) naming the file, row and column.
 */
export class ArrowPartitionReader implements PartitionReader {
  private batch: RecordBatch | null = null;
  private decoder: RowDecoder | null = null;
  private finished = false;
  /** Index of {@link batch} (or of the next batch to load when it is null). */
  private batchIndex = 0;
  /** Rows of the current batch already read. */
  private row = 0;
  /** Rows of the file already read (the offset of the last one). */
  private rows = 0;

  private constructor(
    private readonly handle: FileHandle,
    private readonly reader: Reader,
    private readonly display: string,
  ) {}

  static async open(
    path: string,
    display: string,
    format: "arrow" | "arrows",
    start: ArrowPosition,
  ): Promise<ArrowPartitionReader> {
    const handle = await open(path, "r");
    let reader: Reader;
    try {
      reader = (await RecordBatchReader.from(handle)) as Reader;
      await reader.open();
    } catch (e) {
      await handle.close();
      throw new ConnectorError(
        `file source ${display}`,
        `not an Arrow IPC file (${(e as Error).message})`,
        "Write the file with an Arrow IPC writer, or use ?format=jsonl|csv for other files.",
      );
    }
    if (format === "arrow" && !reader.isFile()) {
      await handle.close();
      throw new ConnectorError(
        `file source ${display}`,
        "the file is in the Arrow IPC stream format, not the file format",
        "Name it .arrows or add ?format=arrows.",
      );
    }
    const r = new ArrowPartitionReader(handle, reader, display);
    try {
      await r.seek(start);
    } catch (e) {
      await handle.close();
      throw e;
    }
    return r;
  }

  private async seek(start: ArrowPosition): Promise<void> {
    if (this.reader.isFile()) {
      if (start.batch > this.reader.numRecordBatches) this.badPosition(start);
      this.batchIndex = start.batch;
    } else {
      // The stream format has no index: read past the batches before the position.
      for (let i = 0; i < start.batch; i++) {
        const next = await this.reader.next();
        if (next.done) this.badPosition(start);
      }
      this.batchIndex = start.batch;
    }
    if (start.row > 0) {
      const batch = await this.load();
      if (batch === null || start.row > batch.numRows) this.badPosition(start);
    }
    this.row = start.row;
    this.rows = start.rows;
  }

  private badPosition(p: ArrowPosition): never {
    throw new ConnectorError(
      `file source ${this.display}`,
      `cannot resume from position ${JSON.stringify(p)}: the file has fewer record batches or rows`,
      "The file changed since the checkpoint; restore from a checkpoint of this file or start without one.",
    );
  }

  /** The batch at {@link batchIndex}, loading it when needed; null at the end of the file. */
  private async load(): Promise<RecordBatch | null> {
    if (this.batch !== null) return this.batch;
    if (this.finished) return null;
    let batch: RecordBatch | null = null;
    if (this.reader.isFile()) {
      if (this.batchIndex < this.reader.numRecordBatches)
        batch = (await this.reader.readRecordBatch(this.batchIndex)) ?? null;
    } else {
      const next = await this.reader.next();
      batch = next.done ? null : next.value;
    }
    if (batch === null) {
      this.finished = true;
      return null;
    }
    this.decoder ??= new RowDecoder(batch.schema);
    this.batch = batch;
    return batch;
  }

  async read(max: number): Promise<SourceItem[] | null> {
    const out: SourceItem[] = [];
    while (out.length < max) {
      const batch = await this.load();
      if (batch === null) break;
      if (this.row >= batch.numRows) {
        this.batch = null;
        this.batchIndex++;
        this.row = 0;
        continue;
      }
      const decoder = this.decoder!;
      const end = Math.min(batch.numRows, this.row + (max - out.length));
      for (; this.row < end; this.row++) {
        const offset = ++this.rows;
        try {
          out.push({ kind: "element", offset, value: decoder.decode(batch, this.row) });
        } catch (e) {
          if (!(e instanceof UndecodableValue)) throw e;
          out.push({
            kind: "error",
            offset,
            reason: "undecodable",
            message: `${this.display} row ${offset} (record batch ${this.batchIndex}): ${e.message}. Convert the column to a JSON-compatible type or remove the row.`,
            payload: decoder.raw(batch, this.row),
          });
        }
      }
    }
    return out.length === 0 && max > 0 ? null : out;
  }

  position(): ArrowPosition {
    return { batch: this.batchIndex, row: this.row, rows: this.rows };
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

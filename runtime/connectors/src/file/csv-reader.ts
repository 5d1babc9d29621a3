import { type FileHandle, open } from "node:fs/promises";
import { type CsvError, Parser } from "csv-parse";
import type { PartitionReader, SourceItem } from "../source.ts";
import type { CsvCaster } from "./csv-cast.ts";
import type { FilePosition } from "./position.ts";

const LF = 10;
const CR = 13;

/** A chunk of file bytes still needed for line counting. */
interface Chunk {
  readonly start: number;
  readonly bytes: Buffer;
}

/** The header of a CSV file: field names, where data starts, and the record delimiter. */
interface CsvHeader {
  readonly columns: string[];
  readonly dataStart: FilePosition;
  readonly recordDelimiter: "\n" | "\r\n";
}

/**
 * Reads one CSV file with csv-parse. The first record is the header and names the fields;
 * cells are cast by the record schema ({@link CsvCaster}); blank lines are skipped. A record
 * csv-parse rejects (wrong number of cells, bad quoting) becomes an `error` item (reason
 * `undecodable`) naming `file:line`. Offsets are the line on which a record starts (a quoted
 * cell may span lines). Parsing is synchronous per chunk: one promise per chunk read.
 */
export class CsvPartitionReader implements PartitionReader {
  private readonly queue: SourceItem[] = [];
  /** Position after each queued item. */
  private readonly queuePositions: FilePosition[] = [];
  private head = 0;
  private chunks: Chunk[] = [];
  /** Bytes before `scanByte` have been attributed to records; `scanLine` = line feeds before it. */
  private scanByte: number;
  private scanLine: number;
  private readAt: number;
  private eof = false;
  private lastOffset = 0;
  private pos: FilePosition;
  private readonly parser: Parser | null;
  private parseError: Error | null = null;

  private constructor(
    private readonly handle: FileHandle,
    private readonly display: string,
    header: CsvHeader | null,
    start: FilePosition,
    private readonly cast: CsvCaster,
    private readonly chunkSize: number,
  ) {
    this.scanByte = start.byte;
    this.scanLine = start.line;
    this.readAt = start.byte;
    this.lastOffset = start.line;
    this.pos = start;
    if (header === null) {
      this.parser = null;
      this.eof = true;
      return;
    }
    const base = start.byte;
    const parser: Parser = new Parser({
      columns: header.columns,
      record_delimiter: header.recordDelimiter,
      skip_empty_lines: true,
      skip_records_with_error: true,
      raw: true,
      on_record: (rec: unknown, ctx) => {
        // With `columns` and `raw`, csv-parse hands over `{ record, raw }`.
        const { record, raw } = rec as { record: Record<string, string>; raw: string };
        this.onRecord(base + ctx.bytes, raw, record);
        return null;
      },
      on_skip: (err: CsvError | undefined, raw: string | undefined) => {
        this.onSkip(base + parser.info.bytes, raw ?? "", err?.message ?? "unreadable CSV record");
        return undefined;
      },
    });
    parser.on("error", (e: Error) => {
      this.parseError = e;
    });
    this.parser = parser;
  }

  /**
   * Opens `path` at `position` (null: just after the header). `display` names the file in
   * messages; `chunkSize` is the read size in bytes.
   */
  static async open(
    path: string,
    display: string,
    position: FilePosition | null,
    cast: CsvCaster,
    chunkSize = 256 * 1024,
  ): Promise<CsvPartitionReader> {
    const handle = await open(path, "r");
    try {
      const header = await readHeader(handle);
      const start = position ?? header?.dataStart ?? { byte: 0, line: 0 };
      return new CsvPartitionReader(handle, display, header, start, cast, chunkSize);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  async read(max: number): Promise<SourceItem[] | null> {
    while (this.queue.length - this.head < max && !this.eof) await this.parseChunk();
    if (this.parseError) throw this.parseError;
    const n = Math.min(max, this.queue.length - this.head);
    if (n === 0) return max > 0 ? null : [];
    const out = this.queue.slice(this.head, this.head + n);
    this.pos = this.queuePositions[this.head + n - 1]!;
    this.head += n;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.queuePositions.splice(0, this.head);
      this.head = 0;
    }
    return out;
  }

  position(): FilePosition {
    return this.pos;
  }

  async close(): Promise<void> {
    this.parser?.destroy();
    await this.handle.close();
  }

  private async parseChunk(): Promise<void> {
    const parser = this.parser!;
    const bytes = Buffer.allocUnsafe(this.chunkSize);
    const { bytesRead } = await this.handle.read(bytes, 0, this.chunkSize, this.readAt);
    if (bytesRead === 0) {
      this.eof = true;
      parser.end();
    } else {
      this.chunks.push({ start: this.readAt, bytes: bytes.subarray(0, bytesRead) });
      this.readAt += bytesRead;
      parser.write(bytes.subarray(0, bytesRead));
    }
    // Drop chunks that lie wholly before the scan point.
    while (this.chunks.length > 1 && this.chunks[0]!.start + this.chunks[0]!.bytes.length <= this.scanByte) {
      this.chunks.shift();
    }
  }

  private onRecord(end: number, raw: string, record: Record<string, string>): void {
    const offset = this.advance(end, raw);
    this.push({ kind: "element", offset: Math.max(offset, this.lastOffset + 1), value: this.cast(record) });
  }

  private onSkip(end: number, raw: string, reason: string): void {
    const offset = end > this.scanByte ? this.advance(end, raw) : this.firstLineAfterScan();
    const message = `${this.display}:${offset}: not a valid CSV record (${reason.replace(/ (on|at) line \d+/, "")}). Fix or remove it.`;
    const item: SourceItem = { kind: "error", offset, reason: "undecodable", message, payload: raw };
    if (offset > this.lastOffset) {
      this.push(item);
    } else if (this.queue.length > this.head && this.queue[this.queue.length - 1]!.kind === "error") {
      // csv-parse reports a broken quote once per attempt to resume; keep the last, fullest report.
      const last = this.queue[this.queue.length - 1]! as Extract<SourceItem, { kind: "error" }>;
      if (last.offset === offset) {
        this.queue[this.queue.length - 1] = item;
        this.queuePositions[this.queuePositions.length - 1] = { byte: this.scanByte, line: this.scanLine };
      }
    }
  }

  private push(item: SourceItem & { offset: number }): void {
    this.lastOffset = item.offset;
    this.queue.push(item);
    this.queuePositions.push({ byte: this.scanByte, line: this.scanLine });
  }

  /** Attributes bytes up to `end` to a record with text `raw`; returns the line it starts on. */
  private advance(end: number, raw: string): number {
    let lastByte = -1;
    for (const { start, bytes } of this.chunks) {
      const from = Math.max(this.scanByte, start) - start;
      const to = Math.min(end, start + bytes.length) - start;
      if (to <= from) continue;
      this.scanLine += countLineFeeds(bytes, from, to);
      lastByte = bytes[to - 1]!;
    }
    this.scanByte = end;
    const endLine = lastByte === LF ? this.scanLine : this.scanLine + 1;
    return endLine - countInnerLineFeeds(raw);
  }

  /** The line of the first non-empty byte after the scan point (for errors reported without progress). */
  private firstLineAfterScan(): number {
    let line = this.scanLine + 1;
    for (const { start, bytes } of this.chunks) {
      for (let i = Math.max(this.scanByte, start) - start; i < bytes.length; i++) {
        const b = bytes[i];
        if (b === LF) line++;
        else if (b !== CR) return line;
      }
    }
    return line;
  }
}

function countLineFeeds(bytes: Buffer, from: number, to: number): number {
  let n = 0;
  let i = bytes.indexOf(LF, from);
  while (i >= 0 && i < to) {
    n++;
    i = bytes.indexOf(LF, i + 1);
  }
  return n;
}

/** Line feeds inside a record's text, ignoring blank lines before it and its own line ending. */
function countInnerLineFeeds(raw: string): number {
  let first = raw.indexOf("\n");
  // Fast path: a one-line record whose only line feed ends it.
  if (first < 0 || first === raw.length - 1) return 0;
  let start = 0;
  while (start < raw.length && (raw.charCodeAt(start) === LF || raw.charCodeAt(start) === CR)) start++;
  let end = raw.length;
  while (end > start && (raw.charCodeAt(end - 1) === LF || raw.charCodeAt(end - 1) === CR)) end--;
  let n = 0;
  for (first = raw.indexOf("\n", start); first >= 0 && first < end; first = raw.indexOf("\n", first + 1)) n++;
  return n;
}

/** Parses the first record of the file as the header. Null for a file without records. */
async function readHeader(handle: FileHandle): Promise<CsvHeader | null> {
  // The record delimiter must be fixed before parsing: csv-parse guesses wrong when a chunk
  // boundary splits "\r\n". The first line feed decides.
  const seen: Buffer[] = [];
  let at = 0;
  let recordDelimiter: "\n" | "\r\n" = "\n";
  let previous = -1;
  for (;;) {
    const chunk = await readChunk(handle, at);
    if (chunk === null) break;
    seen.push(chunk);
    at += chunk.length;
    const lf = chunk.indexOf(LF);
    if (lf >= 0) {
      if ((lf > 0 ? chunk[lf - 1] : previous) === CR) recordDelimiter = "\r\n";
      break;
    }
    previous = chunk[chunk.length - 1]!;
  }
  let columns: string[] | null = null;
  let headerEnd = 0;
  const errors: Error[] = [];
  const parser = new Parser({
    bom: true,
    skip_empty_lines: true,
    record_delimiter: recordDelimiter,
    on_record: (record: string[], ctx) => {
      if (columns === null) {
        columns = record;
        headerEnd = ctx.bytes;
      }
      return null;
    },
  });
  parser.on("error", (e: Error) => errors.push(e));
  for (const chunk of seen) if (columns === null) parser.write(chunk);
  while (columns === null && errors.length === 0) {
    const chunk = await readChunk(handle, at);
    if (chunk === null) {
      parser.end();
      break;
    }
    at += chunk.length;
    parser.write(chunk);
  }
  parser.destroy();
  if (columns === null) {
    if (errors.length > 0) throw errors[0];
    return null;
  }
  return {
    columns,
    dataStart: { byte: headerEnd, line: await countLinesBefore(handle, headerEnd) },
    recordDelimiter,
  };
}

async function readChunk(handle: FileHandle, at: number): Promise<Buffer | null> {
  const bytes = Buffer.allocUnsafe(64 * 1024);
  const { bytesRead } = await handle.read(bytes, 0, bytes.length, at);
  return bytesRead === 0 ? null : bytes.subarray(0, bytesRead);
}

async function countLinesBefore(handle: FileHandle, end: number): Promise<number> {
  const bytes = Buffer.allocUnsafe(end);
  const { bytesRead } = await handle.read(bytes, 0, end, 0);
  return countLineFeeds(bytes, 0, bytesRead);
}

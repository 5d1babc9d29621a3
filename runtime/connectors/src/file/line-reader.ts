import type { FileHandle } from "node:fs/promises";
import type { FilePosition } from "./position.ts";

const BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * Splits a file into lines, reading it in chunks from any {@link FilePosition}. Lines are
 * handed out synchronously from the buffered chunk; only refilling the buffer is asynchronous,
 * so reading costs one promise per chunk, not per line. `\n` and `\r\n` end lines; a final
 * line without a newline counts too. A UTF-8 byte-order mark at the start is skipped.
 */
export class LineReader {
  private data: Buffer = Buffer.alloc(0);
  /** Index in `data` of the next unread byte. */
  private cursor = 0;
  /** File offset of `data[0]`. */
  private dataStart: number;
  private eof = false;
  /** Number of lines consumed (the 1-based number of the last line returned). */
  line: number;

  constructor(
    private readonly handle: FileHandle,
    start: FilePosition,
    private readonly chunkSize = 1 << 20,
  ) {
    this.dataStart = start.byte;
    this.line = start.line;
  }

  /** File offset just after the last line returned: resume here. */
  get byte(): number {
    return this.dataStart + this.cursor;
  }

  /** The next buffered line (without its line ending), or undefined when {@link fill} is needed. */
  nextLine(): string | undefined {
    const data = this.data;
    const start = this.cursor;
    const nl = data.indexOf(10, start);
    let end: number;
    if (nl >= 0) {
      end = nl;
      this.cursor = nl + 1;
    } else if (this.eof && start < data.length) {
      end = data.length;
      this.cursor = end;
    } else {
      return undefined;
    }
    this.line++;
    if (end > start && data[end - 1] === 13) end--;
    return end === start ? "" : data.toString("utf8", start, end);
  }

  /** Reads the next chunk. Resolves false when the file is exhausted and every line was returned. */
  async fill(): Promise<boolean> {
    if (this.eof) return this.cursor < this.data.length;
    const rest = this.data.length - this.cursor;
    const buffer = Buffer.allocUnsafe(rest + this.chunkSize);
    this.data.copy(buffer, 0, this.cursor);
    const readAt = this.dataStart + this.data.length;
    const { bytesRead } = await this.handle.read(buffer, rest, this.chunkSize, readAt);
    this.dataStart += this.cursor;
    this.data = buffer.subarray(0, rest + bytesRead);
    this.cursor = 0;
    if (bytesRead === 0) this.eof = true;
    if (this.dataStart === 0 && BOM.every((b, i) => this.data[i] === b)) this.cursor = BOM.length;
    return true;
  }
}

/** True for a line holding nothing but spaces and tabs (skipped; it still counts as a line). */
export function isBlank(text: string): boolean {
  if (text === "") return true;
  const c = text.charCodeAt(0);
  return (c === 32 || c === 9) && text.trim() === "";
}

import { type FileHandle, open } from "node:fs/promises";
import type { PartitionReader, SourceItem } from "../source.ts";
import { isBlank, LineReader } from "./line-reader.ts";
import type { FilePosition } from "./position.ts";

/**
 * Reads one JSON Lines file: one JSON value per line, blank lines skipped. A line that is not
 * valid JSON becomes an `error` item (reason `undecodable`) naming `file:line`.
 */
export class JsonlPartitionReader implements PartitionReader {
  private constructor(
    private readonly handle: FileHandle,
    private readonly lines: LineReader,
    private readonly display: string,
  ) {}

  /** Opens `path` at `start`. `display` names the file in messages; `chunkSize` is the read size in bytes. */
  static async open(
    path: string,
    display: string,
    start: FilePosition,
    chunkSize = 1 << 20,
  ): Promise<JsonlPartitionReader> {
    const handle = await open(path, "r");
    return new JsonlPartitionReader(handle, new LineReader(handle, start, chunkSize), display);
  }

  async read(max: number): Promise<SourceItem[] | null> {
    const lines = this.lines;
    const out: SourceItem[] = [];
    while (out.length < max) {
      const text = lines.nextLine();
      if (text === undefined) {
        if (await lines.fill()) continue;
        break;
      }
      if (isBlank(text)) continue;
      try {
        out.push({ kind: "element", offset: lines.line, value: JSON.parse(text) });
      } catch (e) {
        out.push({
          kind: "error",
          offset: lines.line,
          reason: "undecodable",
          message: `${this.display}:${lines.line}: not valid JSON (${(e as Error).message}). Fix or remove the line.`,
          payload: text,
        });
      }
    }
    return out.length === 0 && max > 0 ? null : out;
  }

  position(): FilePosition {
    return { byte: this.lines.byte, line: this.lines.line };
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

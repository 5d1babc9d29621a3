import { mkdirSync } from "node:fs";
import { type FileHandle, open, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ConnectorError } from "../errors.ts";
import type { Sink } from "../sink.ts";
import { PartFiles, type PartFilesToken, syncDir } from "./part-files.ts";

/** Commit token of a file sink: in-progress file names to publish, oldest first. */
export type FileCommitToken = PartFilesToken;

/** Buffered bytes that trigger a write to the file (and a promise for backpressure). */
const FLUSH_BYTES = 1 << 20;
const COMMITTED_PART = /^part-\d+-\d+\.jsonl$/;

/**
 * An exactly-once JSON Lines sink writing to a directory, by two-phase commit with atomic renames
 * ({@link PartFiles}): `write` appends lines to a hidden in-progress file; `preCommit(id)` flushes
 * and fsyncs it and stages it as a pending part of checkpoint `id`; `commit` makes the pending
 * parts visible as `part-<id>-<seq>.jsonl`; `recover(token)` commits the token's parts and deletes
 * every other in-progress file.
 *
 * `close()` does not commit. Use one sink instance per directory.
 * Read the output back with {@link readCommittedJsonl}.
 */
export class FileSink implements Sink {
  readonly description: string;
  private current: { handle: FileHandle; name: string } | null = null;
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private readonly parts: PartFiles;

  /**
   * @param dir - absolute directory path; created if missing.
   * @param display - the directory as the user wrote it, for messages.
   */
  constructor(
    private readonly dir: string,
    display: string,
  ) {
    this.description = `file:${display} (JSON Lines, exactly-once)`;
    this.parts = new PartFiles(dir, ".jsonl", this.description, "file sink");
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new ConnectorError(
        `file sink ${display}`,
        `cannot create the output directory (${(e as Error).message})`,
        "Choose a directory path that is writable and not an existing file.",
      );
    }
  }

  write(values: readonly unknown[]): void | Promise<void> {
    for (let i = 0; i < values.length; i++) {
      const line = encode(values[i], this.description);
      this.buffer.push(line);
      this.bufferedBytes += line.length;
    }
    if (this.bufferedBytes >= FLUSH_BYTES) return this.flush();
  }

  async preCommit(checkpointId: number): Promise<FileCommitToken> {
    await this.flush();
    await this.parts.serial(async () => {
      const current = this.current;
      if (current === null) return;
      this.current = null;
      await current.handle.sync();
      await current.handle.close();
      await this.parts.stage(current.name, checkpointId);
      await syncDir(this.dir);
    });
    return this.parts.token();
  }

  commit(token: unknown): Promise<void> {
    return this.parts.commit(token);
  }

  async recover(token: unknown | null): Promise<void> {
    await this.parts.serial(async () => {
      if (this.current !== null) await this.current.handle.close();
      this.current = null;
    });
    this.buffer = [];
    this.bufferedBytes = 0;
    await this.parts.recover(token);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.parts.serial(async () => {
      await this.current?.handle.close();
      this.current = null;
    });
  }

  /** Writes buffered lines to the in-progress file, opening it if needed. */
  private flush(): Promise<void> {
    if (this.buffer.length === 0) return this.parts.idle();
    const text = this.buffer.join("");
    this.buffer = [];
    this.bufferedBytes = 0;
    return this.parts.serial(async () => {
      if (this.current === null) {
        const name = this.parts.writingName();
        this.current = { handle: await open(join(this.dir, name), "wx"), name };
      }
      await this.current.handle.write(text);
    });
  }
}

function encode(value: unknown, sink: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    json = undefined;
    void e;
  }
  if (json === undefined) {
    throw new ConnectorError(
      sink,
      `cannot write ${typeof value === "bigint" ? `${value}n` : String(value)}: it is not a JSON value`,
      "Map records to plain JSON values (objects, arrays, strings, finite numbers, booleans, null) before the sink.",
    );
  }
  return `${json}\n`;
}

/**
 * Reads every committed record of a file sink directory, in commit order (part files sorted
 * by name). In-progress files are ignored.
 *
 * @example
 * ```ts
 * const alerts = await readCommittedJsonl("out/alerts");
 * ```
 */
export async function readCommittedJsonl(dir: string): Promise<unknown[]> {
  const names = (await readdir(dir)).filter((n) => COMMITTED_PART.test(n)).sort();
  const out: unknown[] = [];
  for (const name of names) {
    for (const line of (await readFile(join(dir, name), "utf8")).split("\n")) {
      if (line !== "") out.push(JSON.parse(line));
    }
  }
  return out;
}

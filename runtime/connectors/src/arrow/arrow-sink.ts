import { mkdirSync } from "node:fs";
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { type RecordBatch, RecordBatchFileWriter } from "apache-arrow";
import { ConnectorError } from "../errors.ts";
import { PartFiles, type PartFilesToken, syncDir } from "../file/part-files.ts";
import type { Sink } from "../sink.ts";
import { ArrowPartitionReader } from "./arrow-reader.ts";
import { buildBatch, fits, inferLayout, type SinkLayout } from "./convert.ts";

/** Commit token of an Arrow file sink: in-progress file names to publish, oldest first. */
export type ArrowCommitToken = PartFilesToken;

/** Rows per record batch. */
const BATCH_ROWS = 8192;
const COMMITTED_PART = /^part-\d+-\d+\.arrow$/;

/** Values with one inferred layout, on their way into one part file. */
interface Segment {
  readonly layout: SinkLayout;
  readonly batches: RecordBatch[];
  rows: unknown[];
}

/**
 * An exactly-once sink writing Arrow IPC files (file format) to a directory, with the protocol of
 * the JSON Lines `FileSink`:
 *
 * - `write` appends values to the current segment; every 8192 rows become a record batch. The
 *   segment's schema is inferred from the first values written to it (see `inferLayout`:
 *   numbers → Float64, strings → Utf8, booleans → Bool, anything else → a Utf8 column of JSON
 *   text). A value that does not fit the schema (a new field, another type) starts a new segment,
 *   so nothing is lost or coerced; each segment becomes its own part file.
 * - `preCommit(id)` writes each segment as an IPC file, fsyncs it and stages it as a pending part
 *   of checkpoint `id` ({@link PartFiles}). The IPC file format needs a footer listing every
 *   record batch, so the file is written whole here; until then the rows are kept in memory as
 *   Arrow record batches.
 * - `commit` makes the pending parts visible as `part-<id>-<seq>.arrow`; `recover(token)` commits
 *   the token's parts and deletes every other in-progress file.
 *
 * `close()` does not commit. Use one sink instance per directory. Read the output back with
 * {@link readCommittedArrow} or any Arrow reader (a JSON column carries the field metadata
 * `tributary.encoding=json`).
 */
export class ArrowFileSink implements Sink {
  readonly description: string;
  private segments: Segment[] = [];
  private readonly parts: PartFiles;

  constructor(
    private readonly dir: string,
    display: string,
  ) {
    this.description = `file:${display}?format=arrow (Arrow IPC, exactly-once)`;
    this.parts = new PartFiles(dir, ".arrow", this.description, "Arrow file sink");
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

  write(values: readonly unknown[]): void {
    for (let i = 0; i < values.length; i++) checkJson(values[i], this.description);
    let segment = this.segments.at(-1);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (segment === undefined || !fits(segment.layout, value)) {
        if (segment) this.seal(segment);
        segment = { layout: inferLayout(values.slice(i)), batches: [], rows: [] };
        this.segments.push(segment);
      }
      segment.rows.push(value);
      if (segment.rows.length >= BATCH_ROWS) this.seal(segment);
    }
  }

  /** Turns the segment's buffered rows into a record batch. */
  private seal(segment: Segment): void {
    if (segment.rows.length === 0) return;
    segment.batches.push(buildBatch(segment.layout, segment.rows));
    segment.rows = [];
  }

  async preCommit(checkpointId: number): Promise<ArrowCommitToken> {
    const segments = this.segments;
    this.segments = [];
    for (const s of segments) this.seal(s);
    await this.parts.serial(async () => {
      for (const segment of segments) {
        const bytes = RecordBatchFileWriter.writeAll(segment.batches).toUint8Array(true);
        const writing = this.parts.writingName();
        const handle = await open(join(this.dir, writing), "wx");
        try {
          await handle.writeFile(bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await this.parts.stage(writing, checkpointId);
      }
      if (segments.length > 0) await syncDir(this.dir);
    });
    return this.parts.token();
  }

  commit(token: unknown): Promise<void> {
    return this.parts.commit(token);
  }

  async recover(token: unknown | null): Promise<void> {
    await this.parts.idle();
    this.segments = [];
    await this.parts.recover(token);
  }

  async close(): Promise<void> {
    await this.parts.idle();
    this.segments = [];
  }
}

function checkJson(value: unknown, sink: string): void {
  let ok: boolean;
  try {
    ok = JSON.stringify(value) !== undefined;
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new ConnectorError(
      sink,
      `cannot write ${typeof value === "bigint" ? `${value}n` : String(value)}: it is not a JSON value`,
      "Map records to plain JSON values (objects, arrays, strings, finite numbers, booleans, null) before the sink.",
    );
  }
}

/**
 * Reads every committed record of an Arrow file sink directory, in commit order (part files
 * sorted by name). In-progress files are ignored.
 */
export async function readCommittedArrow(dir: string): Promise<unknown[]> {
  const names = (await readdir(dir)).filter((n) => COMMITTED_PART.test(n)).sort();
  const out: unknown[] = [];
  for (const name of names) {
    const reader = await ArrowPartitionReader.open(join(dir, name), join(dir, name), "arrow", {
      batch: 0,
      row: 0,
      rows: 0,
    });
    try {
      for (let items = await reader.read(4096); items !== null; items = await reader.read(4096)) {
        for (const item of items) {
          if (item.kind === "element") out.push(item.value);
          else if (item.kind === "error") throw new Error(item.message);
        }
      }
    } finally {
      await reader.close();
    }
  }
  return out;
}

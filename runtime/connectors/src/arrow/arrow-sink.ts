import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { open, readdir, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { type RecordBatch, RecordBatchFileWriter } from "apache-arrow";
import { ConnectorError } from "../errors.ts";
import { exists, syncDir } from "../file/file-sink.ts";
import type { Sink } from "../sink.ts";
import { ArrowPartitionReader } from "./arrow-reader.ts";
import { buildBatch, fits, inferLayout, type SinkLayout } from "./convert.ts";

/** Commit token of an Arrow file sink: in-progress file names to publish, oldest first. */
export interface ArrowCommitToken {
  readonly pending: readonly string[];
}

/** Rows per record batch. */
const BATCH_ROWS = 8192;
const IN_PROGRESS = ".inprogress";
const COMMITTED_PART = /^part-\d+-\d+\.arrow$/;

/** Values with one inferred layout, on their way into one part file. */
interface Segment {
  readonly layout: SinkLayout;
  readonly batches: RecordBatch[];
  rows: unknown[];
}

/** `.part-<checkpoint>-<seq>.arrow.inprogress` → `part-<checkpoint>-<seq>.arrow` */
function committedName(pending: string): string {
  return pending.slice(1, -IN_PROGRESS.length);
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
 * - `preCommit(id)` writes each segment as an IPC file to `.writing-<uuid>.arrow.inprogress`,
 *   fsyncs it, renames it to `.part-<id>-<seq>.arrow.inprogress` and returns them (with earlier
 *   pending files whose commit the sink has not seen) as the token. The IPC file format needs a
 *   footer listing every record batch, so the file is written whole here; until then the rows are
 *   kept in memory as Arrow record batches.
 * - `commit` renames them to `part-<id>-<seq>.arrow`: visible. Idempotent.
 * - `recover(token)` commits the token's files and deletes every other in-progress file.
 *
 * `close()` does not commit. Use one sink instance per directory. Read the output back with
 * {@link readCommittedArrow} or any Arrow reader (a JSON column carries the field metadata
 * `tributary.encoding=json`).
 */
export class ArrowFileSink implements Sink {
  readonly description: string;
  private segments: Segment[] = [];
  private io: Promise<void> = Promise.resolve();
  private uncommitted: string[] = [];

  constructor(
    private readonly dir: string,
    display: string,
  ) {
    this.description = `file:${display}?format=arrow (Arrow IPC, exactly-once)`;
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
    await this.serial(async () => {
      const id = String(checkpointId).padStart(12, "0");
      let seq = 0;
      for (const segment of segments) {
        const bytes = RecordBatchFileWriter.writeAll(segment.batches).toUint8Array(true);
        const writing = `.writing-${randomUUID()}.arrow${IN_PROGRESS}`;
        const handle = await open(join(this.dir, writing), "wx");
        try {
          await handle.writeFile(bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
        let pending: string;
        for (; ; seq++) {
          pending = `.part-${id}-${String(seq).padStart(4, "0")}.arrow${IN_PROGRESS}`;
          const taken =
            (await exists(join(this.dir, pending))) || (await exists(join(this.dir, committedName(pending))));
          if (!taken) break;
        }
        await rename(join(this.dir, writing), join(this.dir, pending));
        this.uncommitted.push(pending);
      }
      if (segments.length > 0) await syncDir(this.dir);
    });
    return { pending: [...this.uncommitted] };
  }

  async commit(token: unknown): Promise<void> {
    const pending = this.pendingOf(token);
    await this.serial(async () => {
      for (const name of pending) {
        const target = committedName(name);
        if (await exists(join(this.dir, name))) {
          await rename(join(this.dir, name), join(this.dir, target));
        } else if (!(await exists(join(this.dir, target)))) {
          throw new ConnectorError(
            this.description,
            `cannot commit ${name}: neither it nor ${target} exists`,
            "Output was removed from the directory after its checkpoint; restore from an earlier checkpoint or rerun.",
          );
        }
      }
      await syncDir(this.dir);
    });
    this.uncommitted = this.uncommitted.filter((n) => !pending.includes(n));
  }

  async recover(token: unknown | null): Promise<void> {
    await this.io;
    this.segments = [];
    if (token !== null && token !== undefined) await this.commit(token);
    await this.serial(async () => {
      for (const name of await readdir(this.dir)) {
        if (name.endsWith(IN_PROGRESS)) await unlink(join(this.dir, name)).catch(() => undefined);
      }
      await syncDir(this.dir);
    });
    this.uncommitted = [];
  }

  async close(): Promise<void> {
    await this.io;
    this.segments = [];
  }

  private serial(op: () => Promise<void>): Promise<void> {
    const next = this.io.then(op);
    this.io = next.catch(() => undefined);
    return next;
  }

  private pendingOf(token: unknown): readonly string[] {
    const pending = (token as Partial<ArrowCommitToken> | null)?.pending;
    const valid = (n: unknown) =>
      typeof n === "string" &&
      n.startsWith(".part-") &&
      n.endsWith(`.arrow${IN_PROGRESS}`) &&
      !n.includes("/");
    if (!Array.isArray(pending) || !pending.every(valid)) {
      throw new ConnectorError(
        this.description,
        `${JSON.stringify(token)} is not an Arrow file sink commit token`,
        "Pass the value preCommit returned.",
      );
    }
    return pending;
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

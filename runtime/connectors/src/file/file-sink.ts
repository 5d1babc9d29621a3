import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { type FileHandle, open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { ConnectorError } from "../errors.ts";
import type { Sink } from "../sink.ts";

/** Commit token of a file sink: in-progress file names to publish, oldest first. */
export interface FileCommitToken {
  readonly pending: readonly string[];
}

/** Buffered bytes that trigger a write to the file (and a promise for backpressure). */
const FLUSH_BYTES = 1 << 20;
const IN_PROGRESS = ".inprogress";
const COMMITTED_PART = /^part-\d+-\d+\.jsonl$/;

/** `.part-<checkpoint>-<seq>.jsonl.inprogress` → `part-<checkpoint>-<seq>.jsonl` */
function committedName(pending: string): string {
  return pending.slice(1, -IN_PROGRESS.length);
}

export async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

/** fsync a directory so renames in it are durable (not supported everywhere; best effort). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms cannot fsync directories; the renames are still atomic.
  }
}

/**
 * An exactly-once JSON Lines sink writing to a directory, by two-phase commit with atomic renames.
 *
 * - `write` appends lines to a hidden in-progress file (`.writing-<uuid>.jsonl.inprogress`).
 * - `preCommit(id)` flushes and fsyncs it and renames it to `.part-<id>-<seq>.jsonl.inprogress`
 *   (id zero-padded to 12 digits, so names sort by checkpoint); the token lists it together with
 *   any earlier pending file whose commit this sink has not seen.
 * - `commit` renames each pending file to `part-<id>-<seq>.jsonl`: now visible. Idempotent: a
 *   file already renamed is skipped.
 * - `recover(token)` commits the token's files, then deletes every other in-progress file.
 *
 * `close()` does not commit. Use one sink instance per directory.
 * Read the output back with {@link readCommittedJsonl}.
 */
export class FileSink implements Sink {
  readonly description: string;
  private current: { handle: FileHandle; name: string } | null = null;
  private buffer: string[] = [];
  private bufferedBytes = 0;
  /** File operations run one after another. */
  private io: Promise<void> = Promise.resolve();
  private uncommitted: string[] = [];

  /**
   * @param dir - absolute directory path; created if missing.
   * @param display - the directory as the user wrote it, for messages.
   */
  constructor(
    private readonly dir: string,
    display: string,
  ) {
    this.description = `file:${display} (JSON Lines, exactly-once)`;
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
    await this.serial(async () => {
      const current = this.current;
      if (current === null) return;
      this.current = null;
      await current.handle.sync();
      await current.handle.close();
      const id = String(checkpointId).padStart(12, "0");
      let seq = 0;
      let pending: string;
      for (; ; seq++) {
        pending = `.part-${id}-${String(seq).padStart(4, "0")}.jsonl${IN_PROGRESS}`;
        const taken =
          (await exists(join(this.dir, pending))) || (await exists(join(this.dir, committedName(pending))));
        if (!taken) break;
      }
      await rename(join(this.dir, current.name), join(this.dir, pending));
      await syncDir(this.dir);
      this.uncommitted.push(pending);
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
    await this.serial(async () => {
      if (this.current !== null) await this.current.handle.close();
      this.current = null;
    });
    this.buffer = [];
    this.bufferedBytes = 0;
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
    await this.flush();
    await this.serial(async () => {
      await this.current?.handle.close();
      this.current = null;
    });
  }

  /** Writes buffered lines to the in-progress file, opening it if needed. */
  private flush(): Promise<void> {
    if (this.buffer.length === 0) return this.io;
    const text = this.buffer.join("");
    this.buffer = [];
    this.bufferedBytes = 0;
    return this.serial(async () => {
      if (this.current === null) {
        const name = `.writing-${randomUUID()}.jsonl${IN_PROGRESS}`;
        this.current = { handle: await open(join(this.dir, name), "wx"), name };
      }
      await this.current.handle.write(text);
    });
  }

  private serial(op: () => Promise<void>): Promise<void> {
    const next = this.io.then(op);
    this.io = next.catch(() => undefined);
    return next;
  }

  private pendingOf(token: unknown): readonly string[] {
    const pending = (token as Partial<FileCommitToken> | null)?.pending;
    const valid = (n: unknown) => typeof n === "string" && n.startsWith(".part-") && n.endsWith(IN_PROGRESS);
    if (!Array.isArray(pending) || !pending.every(valid)) {
      throw new ConnectorError(
        this.description,
        `${JSON.stringify(token)} is not a file sink commit token`,
        "Pass the value preCommit returned.",
      );
    }
    return pending;
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

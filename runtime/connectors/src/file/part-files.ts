import { randomUUID } from "node:crypto";
import { open, readdir, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { ConnectorError } from "../errors.ts";

/** Commit token of a part-file sink: in-progress file names to publish, oldest first. */
export interface PartFilesToken {
  readonly pending: readonly string[];
}

const IN_PROGRESS = ".inprogress";

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
 * The two-phase commit of part files in one directory, shared by the exactly-once file sinks
 * (JSON Lines, Arrow). A sink writes a hidden file named by {@link writingName}, then:
 *
 * - {@link stage} (at preCommit, after fsync) renames it to `.part-<id>-<seq><ext>.inprogress`
 *   (checkpoint id zero-padded to 12 digits, so names sort by checkpoint; `seq` skips names already
 *   taken, so parts never collide after a recovery);
 * - {@link token} lists it together with every earlier staged file whose commit was not seen;
 * - {@link commit} renames each listed file to `part-<id>-<seq><ext>`: now visible. Idempotent;
 * - {@link recover} commits a token's files and deletes every other in-progress file.
 *
 * All file operations run one after another ({@link serial}). Use one instance per directory.
 */
export class PartFiles {
  #io: Promise<void> = Promise.resolve();
  #uncommitted: string[] = [];

  /**
   * @param dir - absolute directory path.
   * @param extension - the part files' extension, with its dot (`.jsonl`, `.arrow`).
   * @param description - the sink's description, for messages.
   * @param kind - what to call the sink in messages about tokens ("file sink", "Arrow file sink").
   */
  constructor(
    readonly dir: string,
    private readonly extension: string,
    private readonly description: string,
    private readonly kind: string,
  ) {}

  /** A fresh name for the hidden file a sink writes before staging it. */
  writingName(): string {
    return `.writing-${randomUUID()}${this.extension}${IN_PROGRESS}`;
  }

  /** Runs `op` after every file operation queued before it. */
  serial(op: () => Promise<void>): Promise<void> {
    const next = this.#io.then(op);
    this.#io = next.catch(() => undefined);
    return next;
  }

  /** Resolves when every queued file operation has run. */
  idle(): Promise<void> {
    return this.#io;
  }

  /** Inside {@link serial}: publish the fully written, fsynced `writing` file as a pending part. */
  async stage(writing: string, checkpointId: number): Promise<void> {
    const id = String(checkpointId).padStart(12, "0");
    for (let seq = 0; ; seq++) {
      const pending = `.part-${id}-${String(seq).padStart(4, "0")}${this.extension}${IN_PROGRESS}`;
      const taken =
        (await exists(join(this.dir, pending))) || (await exists(join(this.dir, committedName(pending))));
      if (taken) continue;
      await rename(join(this.dir, writing), join(this.dir, pending));
      this.#uncommitted.push(pending);
      return;
    }
  }

  /** The commit token: every staged part not yet known to be committed. */
  token(): PartFilesToken {
    return { pending: [...this.#uncommitted] };
  }

  async commit(token: unknown): Promise<void> {
    const pending = this.#pendingOf(token);
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
    this.#uncommitted = this.#uncommitted.filter((n) => !pending.includes(n));
  }

  /** Commits `token` (if any), then deletes every in-progress file: they came after it. */
  async recover(token: unknown | null): Promise<void> {
    if (token !== null && token !== undefined) await this.commit(token);
    await this.serial(async () => {
      for (const name of await readdir(this.dir)) {
        if (name.endsWith(IN_PROGRESS)) await unlink(join(this.dir, name)).catch(() => undefined);
      }
      await syncDir(this.dir);
    });
    this.#uncommitted = [];
  }

  #pendingOf(token: unknown): readonly string[] {
    const pending = (token as Partial<PartFilesToken> | null)?.pending;
    const valid = (n: unknown) =>
      typeof n === "string" &&
      n.startsWith(".part-") &&
      n.endsWith(`${this.extension}${IN_PROGRESS}`) &&
      !n.includes("/");
    if (!Array.isArray(pending) || !pending.every(valid)) {
      throw new ConnectorError(
        this.description,
        `${JSON.stringify(token)} is not a ${this.kind} commit token`,
        "Pass the value preCommit returned.",
      );
    }
    return pending;
  }
}

/** `.part-<checkpoint>-<seq><ext>.inprogress` → `part-<checkpoint>-<seq><ext>` */
function committedName(pending: string): string {
  return pending.slice(1, -IN_PROGRESS.length);
}

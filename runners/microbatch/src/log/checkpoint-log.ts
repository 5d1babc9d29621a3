/**
 * The checkpoint directory, as Spark Structured Streaming lays it out:
 * - `offsets/<batchId>`: written BEFORE batch `batchId` runs (write-ahead): per source partition,
 *   the position it starts from, how many items the batch takes and whether it hits the end;
 * - `state/<batchId>.full` / `state/<batchId>.delta`: the state version after the batch (a full
 *   snapshot every so often, changed keys in between);
 * - `commits/<batchId>`: written after the state, with the sinks' pre-commit tokens; then sinks
 *   commit. A batch with an offsets entry and no commit entry is replayed with the same offsets.
 * Every file is written to a temporary name, fsynced and renamed (atomic).
 */
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";

export interface PartitionOffsets {
  readonly source: string;
  readonly partition: number;
  /** Position before the batch (null = start). */
  readonly start: unknown;
  /** Position after the batch. */
  readonly end: unknown;
  /** Items (elements, errors, watermarks) the batch takes from the partition. */
  readonly count: number;
  /** The partition reached its end in this batch (or before). */
  readonly finished: boolean;
}

export interface OffsetsEntry {
  readonly batchId: number;
  readonly partitions: readonly PartitionOffsets[];
}

export interface CommitEntry {
  readonly batchId: number;
  readonly sinks: Readonly<Record<string, unknown>>;
  /** Which state file holds the version after this batch. */
  readonly stateKind: "full" | "delta";
}

export class CheckpointLog {
  constructor(
    readonly dir: string,
    private readonly durable: boolean,
  ) {}

  async init(): Promise<void> {
    for (const d of ["offsets", "commits", "state"]) await mkdir(join(this.dir, d), { recursive: true });
  }

  async #ids(sub: string, suffix = ""): Promise<number[]> {
    const names = await readdir(join(this.dir, sub));
    const ids: number[] = [];
    for (const n of names) {
      if (!n.endsWith(suffix) || n.endsWith(".tmp")) continue;
      const id = Number(n.slice(0, n.length - suffix.length));
      if (Number.isSafeInteger(id)) ids.push(id);
    }
    return ids.sort((a, b) => a - b);
  }

  async lastCommitted(): Promise<number | null> {
    return (await this.#ids("commits")).at(-1) ?? null;
  }

  async readOffsets(id: number): Promise<OffsetsEntry | null> {
    return (await this.#read(join("offsets", String(id)))) as OffsetsEntry | null;
  }

  async readCommit(id: number): Promise<CommitEntry | null> {
    return (await this.#read(join("commits", String(id)))) as CommitEntry | null;
  }

  writeOffsets(entry: OffsetsEntry): Promise<void> {
    return this.#write(join("offsets", String(entry.batchId)), entry);
  }

  writeCommit(entry: CommitEntry): Promise<void> {
    return this.#write(join("commits", String(entry.batchId)), entry);
  }

  writeState(id: number, kind: "full" | "delta", data: unknown): Promise<void> {
    return this.#write(join("state", `${id}.${kind}`), data);
  }

  /** The newest full snapshot at or before `id` and the deltas after it up to `id`, in order. */
  async loadState(id: number): Promise<unknown[]> {
    const fulls = (await this.#ids("state", ".full")).filter((x) => x <= id);
    const base = fulls.at(-1);
    if (base === undefined)
      throw new Error(`checkpoint ${this.dir}: no full state snapshot at or before batch ${id}`);
    const out = [await this.#read(join("state", `${base}.full`))];
    for (const d of await this.#ids("state", ".delta")) {
      if (d > base && d <= id) out.push(await this.#read(join("state", `${d}.delta`)));
    }
    return out;
  }

  /** Removes files that no restart can need (older than the newest full snapshot at or before `id`). */
  async prune(id: number): Promise<void> {
    const fulls = (await this.#ids("state", ".full")).filter((x) => x <= id);
    const base = fulls.at(-1);
    if (base === undefined) return;
    for (const f of fulls) if (f < base) await rm(join(this.dir, "state", `${f}.full`), { force: true });
    for (const d of await this.#ids("state", ".delta"))
      if (d <= base) await rm(join(this.dir, "state", `${d}.delta`), { force: true });
    for (const sub of ["offsets", "commits"])
      for (const x of await this.#ids(sub))
        if (x < base) await rm(join(this.dir, sub, String(x)), { force: true });
  }

  /** Removes the offset and commit entries of batches before `id` (state kept elsewhere). */
  async pruneBefore(id: number): Promise<void> {
    for (const sub of ["offsets", "commits"])
      for (const x of await this.#ids(sub))
        if (x < id) await rm(join(this.dir, sub, String(x)), { force: true });
  }

  async #read(rel: string): Promise<unknown> {
    try {
      return deserialize(await readFile(join(this.dir, rel)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
  }

  async #write(rel: string, value: unknown): Promise<void> {
    const path = join(this.dir, rel);
    const tmp = `${path}.tmp`;
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(serialize(value));
      if (this.durable) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  }
}

/**
 * Checkpoint files in a directory: `chk-<id>.bin`, written atomically (temp file, fsync, rename,
 * fsync of the directory), so a reader never sees a partly written checkpoint.
 */
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";

const COMPLETE = /^chk-(\d+)\.bin$/;
const TEMPORARY = /^chk-(\d+)\.tmp$/;

/** The file name of the complete checkpoint `id`. */
export function checkpointFileName(id: number): string {
  return `chk-${id}.bin`;
}

/** Ids of the complete checkpoint files in `dir`, ascending; empty when `dir` does not exist. */
export async function listCheckpointIds(dir: string): Promise<number[]> {
  const ids: number[] = [];
  for (const name of await readDirOrEmpty(dir)) {
    const match = COMPLETE.exec(name);
    if (match) ids.push(Number(match[1]));
  }
  return ids.sort((a, b) => a - b);
}

/**
 * Write `bytes` as checkpoint `id` in `dir` so that a crash at any moment leaves either the
 * whole file or none of it, then delete all but the newest `keep` complete checkpoints and any
 * leftover temporary files.
 */
export async function writeCheckpointFile(
  dir: string,
  id: number,
  bytes: Uint8Array,
  keep: number,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmpPath = join(dir, `chk-${id}.tmp`);
  const file = await open(tmpPath, "w");
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmpPath, join(dir, checkpointFileName(id)));
  await syncDirectory(dir);
  await pruneCheckpoints(dir, keep);
}

/** Read the bytes of checkpoint `id` in `dir`. */
export async function readCheckpointFile(dir: string, id: number): Promise<Buffer> {
  return readFile(join(dir, checkpointFileName(id)));
}

/** Delete temporary leftovers of interrupted writes and all but the newest `keep` checkpoints. */
export async function pruneCheckpoints(dir: string, keep: number): Promise<void> {
  const names = await readDirOrEmpty(dir);
  const temporary = names.filter((name) => TEMPORARY.test(name));
  const ids = await listCheckpointIds(dir);
  const stale = ids.slice(0, Math.max(0, ids.length - keep)).map(checkpointFileName);
  await Promise.all([...temporary, ...stale].map((name) => rm(join(dir, name), { force: true })));
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readDirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

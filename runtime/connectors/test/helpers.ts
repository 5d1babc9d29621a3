import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PartitionReader, SourceItem } from "../src/index.ts";

/** A fresh temporary directory; removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "tributary-connectors-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Reads a partition to its end, `max` items at a time. */
export async function drain(reader: PartitionReader, max = 1000): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for (let batch = await reader.read(max); batch !== null; batch = await reader.read(max)) out.push(...batch);
  await reader.close();
  return out;
}

/** Reads one item at a time, returning each item with the position after it. */
export async function drainWithPositions(
  reader: PartitionReader,
): Promise<{ item: SourceItem; after: unknown }[]> {
  const out: { item: SourceItem; after: unknown }[] = [];
  for (let batch = await reader.read(1); batch !== null; batch = await reader.read(1)) {
    for (const item of batch) out.push({ item, after: structuredClone(reader.position()) });
  }
  await reader.close();
  return out;
}

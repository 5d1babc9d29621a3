import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CheckpointMeta, KeyedStateStore } from "../../src/state/backend.ts";

/** A checkpoint meta that records `id`, so a restore can be checked against it. */
export function metaFor(id: number): CheckpointMeta {
  return { sourcePositions: { checkpoint: id }, operators: { op: [id] }, sinks: {} };
}

/** Run `body` with a fresh temporary directory, removed afterwards. */
export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "tributary-state-"));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every entry of a store, read through its public API (keys, prefetch, get). */
export async function readAll<V>(store: KeyedStateStore<V>): Promise<Map<string, V | undefined>> {
  const keys: string[] = [];
  for await (const key of store.keys()) keys.push(key);
  await store.prefetch(keys);
  const entries = new Map<string, V | undefined>();
  for (const key of keys) {
    if (entries.has(key)) throw new Error(`keys() yielded ${key} twice`);
    entries.set(key, store.get(key));
  }
  return entries;
}

/** Sorted entries, for comparing maps with toEqual regardless of insertion order. */
export function sortedEntries<V>(map: ReadonlyMap<string, V>): [string, V][] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

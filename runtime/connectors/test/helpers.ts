import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { expect } from "vitest";
import type { PartitionReader, Sink, SourceItem } from "../src/index.ts";

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

/** One step a runner may take against a sink. */
export type Op =
  | { op: "write"; n: number }
  | { op: "checkpoint"; completes: boolean; commits: boolean }
  | { op: "crash" };

export const ops = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }).map((n) => ({ op: "write" as const, n })) },
    {
      weight: 3,
      arbitrary: fc
        .record({ completes: fc.boolean(), commits: fc.boolean() })
        .map((c) => ({ op: "checkpoint" as const, ...c })),
    },
    { weight: 1, arbitrary: fc.constant({ op: "crash" as const }) },
  ),
  { maxLength: 25 },
);

/**
 * Plays `script` against sinks made by `make` like a runner would, and checks that the visible
 * output is, at every commit and at the end, exactly the records written before the preCommit
 * of the last completed checkpoint (records written after it are lost in a crash and replayed).
 */
export async function checkExactlyOnce(
  script: Op[],
  make: () => Sink,
  visible: () => Promise<unknown[]>,
  makeValue: (r: number) => unknown = (r) => ({ r, tag: 'é\n"' }),
): Promise<void> {
  let sink = make();
  let nextRecord = 0;
  let nextCheckpoint = 1;
  let lastCompleted: { id: number; token: unknown } | null = null;
  const expected: unknown[] = [];
  let sinceCompleted: unknown[] = [];
  for (const step of script) {
    if (step.op === "write") {
      const values = Array.from({ length: step.n }, () => makeValue(nextRecord++));
      await sink.write(values);
      sinceCompleted.push(...values);
    } else if (step.op === "checkpoint") {
      const id = nextCheckpoint++;
      const token = structuredClone(await sink.preCommit(id));
      if (step.completes) {
        lastCompleted = { id, token };
        expected.push(...sinceCompleted);
        sinceCompleted = [];
        if (step.commits) {
          await sink.commit(token);
          await sink.commit(token); // idempotent
          expect(await visible()).toEqual(expected);
        }
      }
    } else {
      sink = make(); // the old sink is abandoned without close
      await sink.recover(lastCompleted?.token ?? null);
      nextCheckpoint = (lastCompleted?.id ?? 0) + 1;
      sinceCompleted = [];
      expect(await visible()).toEqual(expected);
    }
  }
  await sink.close();
  await make().recover(lastCompleted?.token ?? null);
  expect(await visible()).toEqual(expected);
}

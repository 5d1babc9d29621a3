import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearMemory, collected, createSink, readCommittedJsonl, type Sink } from "../src/index.ts";
import { tempDir } from "./helpers.ts";

/** One step a runner may take against a sink. */
type Op =
  | { op: "write"; n: number }
  | { op: "checkpoint"; completes: boolean; commits: boolean }
  | { op: "crash" };

const ops = fc.array(
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
async function checkExactlyOnce(
  script: Op[],
  make: () => Sink,
  visible: () => Promise<unknown[]>,
): Promise<void> {
  let sink = make();
  let nextRecord = 0;
  let nextCheckpoint = 1;
  let lastCompleted: { id: number; token: unknown } | null = null;
  const expected: unknown[] = [];
  let sinceCompleted: unknown[] = [];
  for (const step of script) {
    if (step.op === "write") {
      const values = Array.from({ length: step.n }, () => ({ r: nextRecord++, tag: 'é\n"' }));
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

describe("file sink", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  it("commits exactly the records before the last completed checkpoint, whatever the crashes", async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (script) => {
        const t = tempDir();
        cleanups.push(t.cleanup);
        const out = join(t.dir, "out");
        await checkExactlyOnce(
          script,
          () => createSink(`file:${out}`),
          () => readCommittedJsonl(out),
        );
        expect(readdirSync(out).filter((n) => n.endsWith(".inprogress"))).toEqual([]);
      }),
      { numRuns: 80 },
    );
  });

  it("keeps output invisible until commit and names parts by checkpoint", async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const sink = createSink(`file:${t.dir}`);
    await sink.write([{ a: 1 }, [2]]);
    const token = await sink.preCommit(7);
    expect(token).toEqual({ pending: [".part-000000000007-0000.jsonl.inprogress"] });
    expect(await readCommittedJsonl(t.dir)).toEqual([]);
    await sink.commit(token);
    expect(readdirSync(t.dir)).toEqual(["part-000000000007-0000.jsonl"]);
    expect(await readCommittedJsonl(t.dir)).toEqual([{ a: 1 }, [2]]);
    await sink.close();
  });

  it("rejects values that are not JSON and tokens it did not make", async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const sink = createSink(`file:${t.dir}`, { label: "alerts" });
    expect(() => sink.write([undefined])).toThrow(/not a JSON value/);
    await expect(sink.commit({ pending: ["../../etc/passwd"] })).rejects.toThrow(
      /not a file sink commit token/,
    );
    writeFileSync(join(t.dir, "f"), "");
    expect(() => createSink(`file:${join(t.dir, "f")}`)).toThrow(/cannot create the output directory/);
  });
});

describe("memory sink", () => {
  beforeEach(clearMemory);

  it("commits a checkpoint of a million values (more than fit in one call's arguments)", async () => {
    const sink = createSink("memory:big");
    const values = Array.from({ length: 1_000_000 }, (_, i) => i);
    await sink.write(values);
    await sink.commit(await sink.preCommit(1));
    expect(collected("big")).toHaveLength(1_000_000);
  });

  it("commits exactly the records before the last completed checkpoint, whatever the crashes", async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (script) => {
        clearMemory();
        await checkExactlyOnce(
          script,
          () => createSink("memory:out"),
          async () => collected("out"),
        );
      }),
      { numRuns: 150 },
    );
  });

  it("shows nothing before commit", async () => {
    const sink = createSink("memory:x");
    sink.write([1, 2]);
    const token = await sink.preCommit(1);
    expect(collected("x")).toEqual([]);
    await sink.commit(token);
    expect(collected("x")).toEqual([1, 2]);
  });
});

import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearMemory, collected, createSink, readCommittedJsonl } from "../src/index.ts";
import { checkExactlyOnce, ops, tempDir } from "./helpers.ts";

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

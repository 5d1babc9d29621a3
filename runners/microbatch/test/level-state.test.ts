import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  clearMemory,
  collected,
  createSink,
  createSource,
  readCommittedJsonl,
  type Sink,
} from "@tributary/connectors";
import { runEmbedded } from "@tributary/runner-embedded";
import type { WindowResult } from "@tributary/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { LevelBatchStateStore, runMicroBatch, type StateVersionData } from "../src/index.ts";
import { SOURCE_URI, spendPipeline } from "./fixtures/spend.ts";
import { killThenFinish } from "./kill-helper.ts";

const JOB = resolve(import.meta.dirname, "fixtures/level-job.ts");
const temp = (name: string) => mkdtempSync(join(tmpdir(), `tributary-mb-${name}-`));

function finalView(panes: unknown[]): string {
  const view = new Map<string, unknown>();
  for (const p of panes as WindowResult<string, unknown>[]) view.set(`${p.key}@${p.window.start}`, p.value);
  return JSON.stringify([...view].sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function reference(): Promise<string> {
  await runEmbedded(spendPipeline().build(), {
    sources: { events: createSource(SOURCE_URI(), { recordSchema: {} }) },
    sinks: { out: createSink("memory:mb-level-reference") },
  });
  const view = finalView(collected("mb-level-reference"));
  clearMemory();
  return view;
}

/** A version: node "w" with the given keys (null = deleted), and a watermark as metadata. */
const version = (wm: number, keys: [string, unknown][]): StateVersionData => ({
  w: { watermark: wm, keys } as never,
});
const keysOf = (v: StateVersionData) => Object.fromEntries((v.w?.keys ?? []) as [string, unknown][]);

describe("LevelBatchStateStore", () => {
  const open: LevelBatchStateStore[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  const make = (path: string, keep = 3) => {
    const s = new LevelBatchStateStore(path, { pruneEvery: 1, keep });
    open.push(s);
    return s;
  };

  it("reads the state as of every batch, drops uncommitted versions on open, keeps the last few", async () => {
    const dir = join(temp("level-unit"), "db");
    let store = make(dir);
    await store.open(null);
    await store.write(
      0,
      "delta",
      version(10, [
        ["a", { n: 1 }],
        ["b", { n: 1 }],
      ]),
    );
    await store.write(1, "delta", version(20, [["a", { n: 2 }]]));
    await store.write(
      2,
      "delta",
      version(30, [
        ["b", null],
        ["c", { n: 1 }],
      ]),
    );
    await store.write(3, "delta", version(40, [["a", { n: 3 }]]));
    expect(keysOf(await store.readVersion(0))).toEqual({ a: { n: 1 }, b: { n: 1 } });
    expect(keysOf(await store.readVersion(1))).toEqual({ a: { n: 2 }, b: { n: 1 } });
    expect(keysOf(await store.readVersion(2))).toEqual({ a: { n: 2 }, c: { n: 1 } });
    expect((await store.readVersion(2)).w).toMatchObject({ watermark: 30 });
    await store.close();

    // A crash after batch 3's version was written but before its commit: restart from 2.
    store = make(dir);
    await store.open(2);
    expect(await store.versions()).toEqual([0, 1, 2]);
    const [restored] = await store.load(2);
    expect(keysOf(restored!)).toEqual({ a: { n: 2 }, c: { n: 1 } });
    // The replay writes batch 3 again (maybe differently); nothing of the lost version leaks in.
    await store.write(3, "delta", version(41, [["d", { n: 1 }]]));
    expect(keysOf(await store.readVersion(3))).toEqual({ a: { n: 2 }, c: { n: 1 }, d: { n: 1 } });
    await store.write(4, "delta", version(50, [["c", null]]));
    await store.afterCommit(4); // keep 3 versions: 2, 3, 4
    expect(await store.versions()).toEqual([2, 3, 4]);
    expect(keysOf(await store.readVersion(2))).toEqual({ a: { n: 2 }, c: { n: 1 } });
    expect(keysOf(await store.readVersion(4))).toEqual({ a: { n: 2 }, d: { n: 1 } });
    await expect(store.readVersion(1)).rejects.toThrow(/no version for batch 1/);
    await store.close();

    // A restart from a batch the store does not have is refused with the reason.
    store = make(dir);
    await expect(store.open(9)).rejects.toThrow(/no version for batch 9/);
    await store.close();
    // A fresh start clears versions left by another run.
    store = make(dir);
    await store.open(null);
    expect(await store.versions()).toEqual([]);
  });
});

describe("runMicroBatch with state: { level }", () => {
  it("needs a checkpoint directory", async () => {
    await expect(
      runMicroBatch(spendPipeline().build(), {
        sources: { events: createSource(SOURCE_URI(), { recordSchema: {} }) },
        sinks: { out: createSink("memory:mb-level-x") },
        state: { level: join(temp("level-x"), "db") },
      }),
    ).rejects.toThrow(/needs checkpointDir/);
  });

  it("crashes inside the job (after a batch's state version is written but before its commit, or after the commit), restart: output equals the embedded runner's", async () => {
    const expected = await reference();
    const dir = temp("level-crash");
    const sinkDir = join(dir, "out");
    const options = {
      sinks: {},
      checkpointDir: join(dir, "checkpoint"),
      state: { level: join(dir, "state") },
      maxRowsPerBatch: 400,
      fullSnapshotEvery: 4,
      trigger: { kind: "availableNow" } as const,
    };
    let crashes = 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      const crashAt = 3 + attempt * 2;
      const beforeCommit = attempt % 2 === 0;
      try {
        const r = await runMicroBatch(spendPipeline().build(), {
          ...options,
          sources: { events: createSource(SOURCE_URI(), { recordSchema: {} }) },
          // preCommit(batchId + 1) runs after the batch's state version is in LevelDB.
          sinks: { out: failingPreCommit(createSink(`file:${sinkDir}`), beforeCommit ? crashAt + 1 : -1) },
          onBatch: (b) => {
            if (!beforeCommit && b.batchId === crashAt) throw new Error("crash");
          },
        });
        expect(r.completed).toBe(true);
        break;
      } catch (e) {
        if ((e as Error).message !== "crash") throw e;
        crashes++;
      }
    }
    expect(crashes).toBeGreaterThan(1);
    const committed = await readCommittedJsonl(sinkDir);
    expect(finalView(committed)).toBe(expected);
    // Old offset and commit entries were pruned with the old state versions.
    expect(readdirSync(join(dir, "checkpoint", "commits")).length).toBeLessThan(10);
  });

  it("kill -9 at random points, restart with the same LevelDB state: output equals an uninterrupted run, each pane once", async () => {
    const expected = await reference();
    const dir = temp("level-kill");
    const sinkDir = join(dir, "out");
    const { kills, last } = await killThenFinish(JOB, [join(dir, "checkpoint"), sinkDir, join(dir, "state")]);
    expect(last.killed).toBe(false);
    expect(kills).toBeGreaterThan(0);
    const summary = last.summary as { restoredFrom: number | null; recordsIn: number };
    expect(summary.restoredFrom).not.toBeNull();
    expect(summary.recordsIn).toBe(6000);
    const committed = await readCommittedJsonl(sinkDir);
    expect(finalView(committed)).toBe(expected);
    const panes = (committed as WindowResult<string, unknown>[]).map(
      (p) => `${p.key}@${p.window.start}#${p.pane.index}`,
    );
    expect(new Set(panes).size).toBe(panes.length);
  }, 300_000);
});

/** Delegates to `sink`, but `preCommit(failAt)` throws like a crash. */
function failingPreCommit(sink: Sink, failAt: number): Sink {
  return {
    description: sink.description,
    write: (values) => sink.write(values),
    preCommit: async (id) => {
      if (id === failAt) throw new Error("crash");
      return sink.preCommit(id);
    },
    commit: (token) => sink.commit(token),
    recover: (token) => sink.recover(token),
    close: () => sink.close(),
  };
}

/**
 * Focused behaviour of the state backends that the model-based test does not pin down: the
 * checkpoint file layout, the prefetch contract, eviction, races, errors, and the `--state` spec.
 */

import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deserialize } from "node:v8";
import { ClassicLevel } from "classic-level";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LevelStateBackend } from "../../src/state/level-backend.ts";
import { MemoryStateBackend } from "../../src/state/memory-backend.ts";
import { createStateBackend, parseStateSpec } from "../../src/state/spec.ts";
import { metaFor, readAll, sortedEntries, withTempDir } from "./helpers.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("MemoryStateBackend", () => {
  it("a checkpoint is a deep copy: values mutated afterwards are restored as they were", async () => {
    const backend = new MemoryStateBackend();
    const store = backend.store<{ items: number[] }>("s");
    const value = { items: [1, 2] };
    store.set("k", 3, value);
    await backend.checkpoint(1, metaFor(1));
    value.items.push(99);
    store.set("other", 0, { items: [] });
    const restored = await backend.restore();
    expect(restored).toEqual({ id: 1, meta: metaFor(1) });
    expect(sortedEntries(await readAll(store))).toEqual([["k", { items: [1, 2] }]]);
  });

  it("restore without any checkpoint returns null and empties the stores", async () => {
    const backend = new MemoryStateBackend();
    backend.store<number>("s").set("k", 0, 1);
    expect(await backend.restore()).toBeNull();
    expect(backend.store<number>("s").get("k")).toBeUndefined();
  });

  it("writes one file per checkpoint with entries, key groups and meta, and keeps the last two", async () => {
    await withTempDir(async (dir) => {
      const backend = new MemoryStateBackend({ checkpointDir: dir });
      backend.store<string>("a").set("x", 7, "vx");
      backend.store<string>("b").set("y", 99, "vy");
      for (const id of [1, 2, 3]) await backend.checkpoint(id, metaFor(id));
      expect((await readdir(dir)).sort()).toEqual(["chk-2.bin", "chk-3.bin"]);
      const file = deserialize(await readFile(join(dir, "chk-3.bin"))) as Record<string, unknown>;
      expect(file["id"]).toBe(3);
      expect(file["meta"]).toEqual(metaFor(3));
      expect(file["stores"]).toEqual({
        a: { keys: ["x"], keyGroups: [7], values: ["vx"] },
        b: { keys: ["y"], keyGroups: [99], values: ["vy"] },
      });
    });
  });

  it("ignores and cleans up temporary files of an interrupted checkpoint", async () => {
    await withTempDir(async (dir) => {
      const first = new MemoryStateBackend({ checkpointDir: dir });
      first.store<number>("s").set("k", 0, 1);
      await first.checkpoint(5, metaFor(5));
      await writeFile(join(dir, "chk-6.tmp"), "half a checkpoint");
      const second = new MemoryStateBackend({ checkpointDir: dir });
      expect((await second.restore())?.id).toBe(5);
      expect(second.store<number>("s").get("k")).toBe(1);
      expect(await readdir(dir)).toEqual(["chk-5.bin"]);
    });
  });

  it("a damaged checkpoint file is reported with its path and what to do", async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, "chk-1.bin"), "not a checkpoint");
      const backend = new MemoryStateBackend({ checkpointDir: dir });
      await expect(backend.restore()).rejects.toThrow(/chk-1\.bin.*(delete it|this version)/s);
    });
  });

  it("a value that cannot be serialized fails the checkpoint with a message saying why", async () => {
    const backend = new MemoryStateBackend();
    backend.store<unknown>("s").set("k", 0, () => 1);
    await expect(backend.checkpoint(1, metaFor(1))).rejects.toThrow(/structured-clonable/);
  });
});

describe("LevelStateBackend", () => {
  it("get of a key that was never prefetched throws naming the store, the key and the fix", async () => {
    await withTempDir(async (dir) => {
      const backend = new LevelStateBackend({ path: dir });
      try {
        const store = backend.store<number>("counts");
        expect(() => store.get('"bob"')).toThrow(/"counts".*"bob".*prefetch/s);
        const loading = store.prefetch(['"bob"']);
        expect(loading).toBeInstanceOf(Promise);
        await loading;
        expect(store.get('"bob"')).toBeUndefined();
        expect(store.prefetch(['"bob"'])).toBeUndefined(); // known absent: nothing to load
      } finally {
        await backend.close();
      }
    });
  });

  it("writes nothing to LevelDB before a checkpoint", async () => {
    await withTempDir(async (dir) => {
      const first = new LevelStateBackend({ path: dir });
      first.store<number>("s").set("k", 0, 1);
      await first.close();
      const second = new LevelStateBackend({ path: dir });
      try {
        expect(await second.restore()).toBeNull();
        expect((await readAll(second.store<number>("s"))).size).toBe(0);
      } finally {
        await second.close();
      }
    });
  });

  it("evicts unchanged entries beyond the cache size after a checkpoint, and reloads them", async () => {
    await withTempDir(async (dir) => {
      const backend = new LevelStateBackend({ path: dir, cacheSize: 10 });
      try {
        const store = backend.store<number>("s");
        for (let i = 0; i < 100; i++) store.set(`k${i}`, i % 128, i * 2);
        await backend.checkpoint(1, metaFor(1));
        // The oldest were dropped; the newest ten are still cached.
        expect(() => store.get("k0")).toThrow(/prefetch/);
        expect(store.get("k99")).toBe(198);
        await store.prefetch(["k0", "k50"]);
        expect([store.get("k0"), store.get("k50")]).toEqual([0, 100]);
      } finally {
        await backend.close();
      }
    });
  });

  it("a prefetch that read before a checkpoint landed does not bring back a stale value", async () => {
    await withTempDir(async (dir) => {
      const backend = new LevelStateBackend({ path: dir, cacheSize: 0 });
      try {
        const store = backend.store<string>("s");
        store.set("k", 0, "old");
        await backend.checkpoint(1, metaFor(1));
        // Hold the first getMany answer (it read "old") until a newer checkpoint has landed.
        let release = (): void => {};
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        const realGetMany = ClassicLevel.prototype.getMany;
        vi.spyOn(ClassicLevel.prototype, "getMany").mockImplementationOnce(async function (
          this: ClassicLevel<string, Uint8Array>,
          ...args: Parameters<ClassicLevel<string, Uint8Array>["getMany"]>
        ) {
          const values = await realGetMany.apply(this, args);
          await gate;
          return values;
        } as ClassicLevel<string, Uint8Array>["getMany"]);
        const loading = store.prefetch(["k"]);
        store.set("k", 0, "new");
        await backend.checkpoint(2, metaFor(2)); // lands, then evicts "k" (cache size 0)
        release();
        await loading;
        expect(store.get("k")).toBe("new");
      } finally {
        await backend.close();
      }
    });
  });

  it("a value that cannot be serialized fails the checkpoint naming store and key, and loses nothing", async () => {
    await withTempDir(async (dir) => {
      const backend = new LevelStateBackend({ path: dir });
      try {
        const store = backend.store<unknown>("sessions");
        store.set("good", 0, 1);
        store.set("bad", 0, () => 1);
        await expect(backend.checkpoint(1, metaFor(1))).rejects.toThrow(/"sessions", key bad/);
        store.set("bad", 0, 2);
        await backend.checkpoint(1, metaFor(1));
        await backend.restore();
        expect(sortedEntries(await readAll(store))).toEqual([
          ["bad", 2],
          ["good", 1],
        ]);
      } finally {
        await backend.close();
      }
    });
  });

  it("rejects keys that UTF-8 cannot hold distinctly (lone surrogates) at the checkpoint", async () => {
    await withTempDir(async (dir) => {
      const backend = new LevelStateBackend({ path: dir });
      try {
        backend.store<number>("s").set("a\uD800", 0, 1);
        await expect(backend.checkpoint(1, metaFor(1))).rejects.toThrow(/"s".*lone UTF-16 surrogate/s);
      } finally {
        await backend.close();
      }
    });
  });

  it("a second backend on a directory in use fails with a message naming the directory", async () => {
    await withTempDir(async (dir) => {
      const first = new LevelStateBackend({ path: dir });
      await first.restore();
      const second = new LevelStateBackend({ path: dir });
      try {
        await expect(second.restore()).rejects.toThrow(/state directory.*no other job uses it/s);
      } finally {
        await second.close();
        await first.close();
      }
    });
  });
});

describe("parseStateSpec and createStateBackend", () => {
  it("parses memory and level:DIR", () => {
    expect(parseStateSpec("memory")).toEqual({ kind: "memory" });
    expect(parseStateSpec("level:./state/job 1")).toEqual({ kind: "level", path: "./state/job 1" });
    expect(parseStateSpec("level:C:\\state")).toEqual({ kind: "level", path: "C:\\state" });
  });

  it("rejects anything else with an error naming --state and the accepted forms", () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => s.trim() !== "memory" && !s.trim().startsWith("level:")),
        (text) => {
          expect(() => parseStateSpec(text)).toThrow(/--state.*--state memory.*--state level:DIR/s);
        },
      ),
    );
    expect(() => parseStateSpec("level:")).toThrow(/--state.*needs a directory.*level:\.\/state/s);
  });

  it("creates the backend the spec names", async () => {
    expect(createStateBackend({ kind: "memory" })).toBeInstanceOf(MemoryStateBackend);
    await withTempDir(async (dir) => {
      const backend = createStateBackend(parseStateSpec(`level:${dir}`));
      expect(backend).toBeInstanceOf(LevelStateBackend);
      await backend.close();
    });
  });
});

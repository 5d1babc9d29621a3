/**
 * Model-based tests: random sequences of store operations, checkpoints, restores and restarts
 * against a plain Map model, for every backend. After each restore, the state must equal the
 * model as of the last checkpoint; between checkpoints, reads must see the latest writes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StateBackend } from "../../src/state/backend.ts";
import { LevelStateBackend } from "../../src/state/level-backend.ts";
import { MemoryStateBackend } from "../../src/state/memory-backend.ts";
import { metaFor, readAll, sortedEntries, withTempDir } from "./helpers.ts";

// Store names whose LevelDB prefixes would collide under a naive `name + key` encoding.
const STORE_NAMES = ["op", "o", "op/", "op0"] as const;
// Keys chosen to stress prefix ranges and encodings: empty, separators, non-ASCII, JSON strings.
const KEYS = ["", "a", "a/b", "/", "0", '"alice"', "ü", "k\u0000z", "[1,2]", "9"] as const;

type Value = number | string | { readonly n: number; readonly tags: readonly string[] };
type Write = { readonly store: number; readonly key: string; readonly value: Value | null };
type Command =
  | { readonly op: "set"; readonly store: number; readonly key: string; readonly value: Value }
  | { readonly op: "delete"; readonly store: number; readonly key: string }
  | { readonly op: "get"; readonly store: number; readonly key: string }
  | { readonly op: "prefetch"; readonly store: number; readonly keys: readonly string[] }
  | { readonly op: "keys"; readonly store: number }
  | { readonly op: "checkpoint" }
  | {
      readonly op: "checkpointWhileWriting";
      readonly prefetch: { readonly store: number; readonly keys: readonly string[] };
      readonly writesBefore: readonly Write[];
      readonly writesAfter: readonly Write[];
    }
  | { readonly op: "restore" }
  | { readonly op: "reopen" };

const storeIndex = fc.integer({ min: 0, max: STORE_NAMES.length - 1 });
const key = fc.constantFrom(...KEYS);
const value: fc.Arbitrary<Value> = fc.oneof(
  fc.integer(),
  fc.string(),
  fc.record({ n: fc.double({ noNaN: true }), tags: fc.array(fc.string(), { maxLength: 3 }) }),
);
const write: fc.Arbitrary<Write> = fc.record({ store: storeIndex, key, value: fc.option(value) });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("set" as const), store: storeIndex, key, value }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("delete" as const), store: storeIndex, key }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("get" as const), store: storeIndex, key }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("prefetch" as const),
      store: storeIndex,
      keys: fc.array(key, { maxLength: 5 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("keys" as const), store: storeIndex }) },
  { weight: 2, arbitrary: fc.constant({ op: "checkpoint" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("checkpointWhileWriting" as const),
      prefetch: fc.record({ store: storeIndex, keys: fc.array(key, { maxLength: 4 }) }),
      writesBefore: fc.array(write, { maxLength: 3 }),
      writesAfter: fc.array(write, { maxLength: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: "restore" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "reopen" as const }) },
);
const commands = fc.array(command, { maxLength: 60 });

type Model = Map<string, Map<string, Value>>;

function emptyModel(): Model {
  return new Map(STORE_NAMES.map((name) => [name, new Map<string, Value>()]));
}

function copyModel(model: Model): Model {
  return new Map([...model].map(([name, entries]) => [name, structuredClone(entries)]));
}

interface Variant {
  readonly name: string;
  /** Open a backend on `dir`; `reopen` simulates a new process when the backend persists. */
  open(dir: string): StateBackend;
  /** Whether state survives closing the backend (a process restart). */
  readonly persistent: boolean;
}

/**
 * Run `cmds` against a backend and the model. `touched` holds the keys used since the last
 * checkpoint or restore: a disk-backed store must serve them without a new prefetch.
 */
async function runModel(variant: Variant, cmds: readonly Command[], dir: string): Promise<void> {
  let backend = variant.open(dir);
  let model = emptyModel();
  let committed = emptyModel();
  let committedId: number | null = null;
  let nextId = 1;
  const touched = new Set<string>();

  const checkState = async (expected: Model): Promise<void> => {
    for (const name of STORE_NAMES) {
      const actual = await readAll(backend.store<Value>(name));
      expect(sortedEntries(actual), `store ${name}`).toEqual(sortedEntries(expected.get(name)!));
    }
  };
  const restore = async (): Promise<void> => {
    const restored = await backend.restore();
    expect(restored === null ? null : restored.id).toBe(committedId);
    if (restored !== null) expect(restored.meta).toEqual(metaFor(committedId!));
    model = copyModel(committed);
    touched.clear();
    await checkState(model);
  };

  const applyWrites = (writes: readonly Write[]): void => {
    for (const write of writes) {
      const name = STORE_NAMES[write.store]!;
      const store = backend.store<Value>(name);
      if (write.value === null) {
        store.delete(write.key);
        model.get(name)!.delete(write.key);
      } else {
        store.set(write.key, 1, structuredClone(write.value));
        model.get(name)!.set(write.key, write.value);
      }
      touched.add(`${name}\n${write.key}`);
    }
  };

  try {
    for (const cmd of cmds) {
      switch (cmd.op) {
        case "set": {
          const name = STORE_NAMES[cmd.store]!;
          backend.store<Value>(name).set(cmd.key, cmd.key.length % 128, structuredClone(cmd.value));
          model.get(name)!.set(cmd.key, cmd.value);
          touched.add(`${name}\n${cmd.key}`);
          break;
        }
        case "delete": {
          const name = STORE_NAMES[cmd.store]!;
          backend.store<Value>(name).delete(cmd.key);
          model.get(name)!.delete(cmd.key);
          touched.add(`${name}\n${cmd.key}`);
          break;
        }
        case "get": {
          const name = STORE_NAMES[cmd.store]!;
          const store = backend.store<Value>(name);
          let actual: Value | undefined;
          try {
            actual = store.get(cmd.key);
          } catch (error) {
            expect(touched.has(`${name}\n${cmd.key}`), `get of a key used since the checkpoint threw`).toBe(
              false,
            );
            expect((error as Error).message).toContain("prefetch");
            expect((error as Error).message).toContain(`"${name}"`);
            await store.prefetch([cmd.key]);
            actual = store.get(cmd.key);
          }
          expect(actual).toEqual(model.get(name)!.get(cmd.key));
          touched.add(`${name}\n${cmd.key}`);
          break;
        }
        case "prefetch": {
          const name = STORE_NAMES[cmd.store]!;
          await backend.store<Value>(name).prefetch(cmd.keys);
          for (const k of cmd.keys) touched.add(`${name}\n${k}`);
          break;
        }
        case "keys": {
          const name = STORE_NAMES[cmd.store]!;
          const actual = new Set<string>();
          for await (const k of backend.store<Value>(name).keys()) actual.add(k);
          expect([...actual].sort()).toEqual([...model.get(name)!.keys()].sort());
          break;
        }
        case "checkpoint": {
          const id = nextId++;
          await backend.checkpoint(id, metaFor(id));
          committed = copyModel(model);
          committedId = id;
          touched.clear();
          break;
        }
        case "checkpointWhileWriting": {
          // A prefetch still reading while keys are written and a checkpoint is taken and lands
          // (evicting with a small cache), and writes while the checkpoint is being written:
          // the checkpoint holds the state as of its call, and nothing read or written is stale.
          const name = STORE_NAMES[cmd.prefetch.store]!;
          const prefetchDone = backend.store<Value>(name).prefetch(cmd.prefetch.keys);
          applyWrites(cmd.writesBefore);
          const id = nextId++;
          const checkpointDone = backend.checkpoint(id, metaFor(id));
          committed = copyModel(model);
          committedId = id;
          touched.clear();
          applyWrites(cmd.writesAfter);
          await Promise.all([checkpointDone, prefetchDone]);
          for (const k of cmd.prefetch.keys) {
            const store = backend.store<Value>(name);
            await store.prefetch([k]);
            expect(store.get(k), `${name} ${k} after a concurrent prefetch`).toEqual(model.get(name)!.get(k));
          }
          break;
        }
        case "restore":
          await restore();
          break;
        case "reopen":
          if (variant.persistent) {
            await backend.close();
            backend = variant.open(dir);
          }
          await restore();
          break;
      }
    }
    // Whatever happened, a final checkpoint and restore (and restart) give back the model.
    const id = nextId++;
    await backend.checkpoint(id, metaFor(id));
    committed = copyModel(model);
    committedId = id;
    await restore();
    if (variant.persistent) {
      await backend.close();
      backend = variant.open(dir);
      await restore();
    }
  } finally {
    await backend.close();
  }
}

const memoryVariants: Variant[] = [
  { name: "memory, in-memory checkpoint", open: () => new MemoryStateBackend(), persistent: false },
  {
    name: "memory, checkpoint files",
    open: (dir) => new MemoryStateBackend({ checkpointDir: dir }),
    persistent: true,
  },
];

describe("state backends against a Map model", () => {
  for (const variant of memoryVariants) {
    it(`${variant.name}: restore gives the last checkpoint, reads give the latest write`, async () => {
      await fc.assert(
        fc.asyncProperty(commands, (cmds) => withTempDir((dir) => runModel(variant, cmds, dir))),
        { numRuns: variant.persistent ? 40 : 150 },
      );
    });
  }

  it("LevelDB (any cache size, down to 0): restore gives the last checkpoint, reads the latest write", async () => {
    await fc.assert(
      fc.asyncProperty(commands, fc.constantFrom(0, 1, 3, 1000), (cmds, cacheSize) => {
        const variant: Variant = {
          name: `level, cacheSize ${cacheSize}`,
          open: (dir) => new LevelStateBackend({ path: dir, cacheSize }),
          persistent: true,
        };
        return withTempDir((dir) => runModel(variant, cmds, dir));
      }),
      { numRuns: 40 },
    );
  });
});

/**
 * Crash atomicity with a real `kill -9`: a child process writes and checkpoints in a loop and is
 * killed at a random moment; the restored state must be exactly the last completed checkpoint.
 * Each run kills the same directory several times, so recovery after recovery is covered too.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { StateBackend } from "../../src/state/backend.ts";
import { LevelStateBackend } from "../../src/state/level-backend.ts";
import { MemoryStateBackend } from "../../src/state/memory-backend.ts";
import { CRASH_STORES, stateAfterCheckpoint } from "./fixtures/schedule.ts";
import { metaFor, readAll, sortedEntries, withTempDir } from "./helpers.ts";

const WRITER = fileURLToPath(new URL("./fixtures/writer.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const KILLS_PER_BACKEND = 3;

type Kind = "level" | "memory";

interface KilledRun {
  /** The id the writer restored at its start. */
  readonly restoredAtStart: number;
  /** The last checkpoint the writer reported complete before it was killed. */
  readonly lastReported: number;
}

/** Start the writer, let it run for `runMs` after it is ready, then SIGKILL it. */
function runAndKill(kind: Kind, dir: string, runMs: number): Promise<KilledRun> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", WRITER, kind, dir], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let restoredAtStart: number | undefined;
    let lastReported = 0;
    let buffered = "";
    let stderr = "";
    let killed = false;
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        const [word, id] = line.split(" ");
        if (word === "done") lastReported = Number(id);
        if (word === "ready" && restoredAtStart === undefined) {
          restoredAtStart = Number(id);
          setTimeout(() => {
            killed = true;
            child.kill("SIGKILL");
          }, runMs);
        }
      }
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (!killed || signal !== "SIGKILL" || restoredAtStart === undefined) {
        reject(new Error(`writer exited by itself (code ${code}, signal ${signal}):\n${stderr}`));
      } else {
        resolve({ restoredAtStart, lastReported });
      }
    });
  });
}

function openBackend(kind: Kind, dir: string): StateBackend {
  return kind === "level"
    ? new LevelStateBackend({ path: dir, cacheSize: 16 })
    : new MemoryStateBackend({ checkpointDir: dir });
}

describe.each(["level", "memory"] as const)("%s backend killed with SIGKILL mid-checkpoint", (kind) => {
  it("restores exactly the last completed checkpoint, every time", async () => {
    await withTempDir(async (dir) => {
      let previousId = 0;
      for (let kill = 0; kill < KILLS_PER_BACKEND; kill++) {
        const runMs = 150 + Math.floor(Math.random() * 500);
        const run = await runAndKill(kind, dir, runMs);
        const context = `kill ${kill} after ${runMs} ms`;
        // The writer restored what the previous round's check restored.
        expect(run.restoredAtStart, context).toBe(previousId);

        const backend = openBackend(kind, dir);
        try {
          const restored = await backend.restore();
          expect(restored, context).not.toBeNull();
          const id = restored!.id;
          // Durable: every checkpoint reported complete survives; at most one more may have landed.
          expect(id, context).toBeGreaterThanOrEqual(run.lastReported);
          expect(id, context).toBeLessThanOrEqual(run.lastReported + 1);
          expect(restored!.meta, context).toEqual(metaFor(id));
          // Atomic: the state is exactly what checkpoints 1..id wrote, nothing from later.
          const expected = stateAfterCheckpoint(id);
          for (const name of CRASH_STORES) {
            const actual = await readAll(backend.store<number>(name));
            expect(sortedEntries(actual), `${context}, store ${name}`).toEqual(
              sortedEntries(expected.get(name)!),
            );
          }
          previousId = id;
        } finally {
          await backend.close();
        }
      }
      expect(previousId, "the writer completed no checkpoint at all").toBeGreaterThan(0);
    });
  });
});

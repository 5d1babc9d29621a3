import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { clearMemory, collected, createSink, createSource, readCommittedJsonl } from "@tributary/connectors";
import type { WindowResult } from "@tributary/sdk";
import { describe, expect, it } from "vitest";
import { runEmbedded } from "../src/index.ts";
import { SPEND_SOURCE_URI, spendPipeline } from "./fixtures/spend-pipeline.ts";

const JOB = resolve(import.meta.dirname, "fixtures/spend-job.ts");

/**
 * Starts the job. With `killAfterCheckpoints`, kills it with SIGKILL a random 0–50 ms after it
 * reported that many completed checkpoints (so every kill lands mid-run, after progress, however
 * loaded the machine is); without, lets it finish.
 */
function runJob(
  state: string,
  sinkDir: string,
  killAfterCheckpoints: number | null,
): Promise<{ killed: boolean; stdout: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", JOB, state, sinkDir], {
      cwd: resolve(import.meta.dirname, ".."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on("data", (d) => {
      stdout += d;
      const seen = stdout.split("\n").filter((l) => l.startsWith("checkpoint ")).length;
      if (killAfterCheckpoints !== null && seen >= killAfterCheckpoints && timer === undefined) {
        timer = setTimeout(() => child.kill("SIGKILL"), Math.floor(Math.random() * 50));
      }
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") done({ killed: true, stdout });
      else if (code === 0) done({ killed: false, stdout });
      else fail(new Error(`job exited with ${code}: ${stderr}`));
    });
  });
}

/** Accumulating final view: the last pane per key and window, as canonical JSON. */
function finalView(panes: unknown[]): string {
  const view = new Map<string, unknown>();
  for (const p of panes as WindowResult<string, unknown>[]) view.set(`${p.key}@${p.window.start}`, p.value);
  return JSON.stringify([...view].sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function uninterrupted(): Promise<string> {
  const result = await runEmbedded(spendPipeline().build(), {
    sources: { events: createSource(SPEND_SOURCE_URI(), { recordSchema: {} }) },
    sinks: { out: createSink("memory:kill-reference") },
  });
  expect(result.recordsIn).toBe(6000);
  const view = finalView(collected("kill-reference"));
  clearMemory();
  return view;
}

describe.each([
  ["LevelDB state", "level"],
  ["memory state with checkpoint files", "files"],
])("kill -9 and restart (%s)", (_, kind) => {
  it("resumes from the last checkpoint and commits output equal to an uninterrupted run", async () => {
    const expected = await uninterrupted();
    const dir = mkdtempSync(join(tmpdir(), "tributary-kill-"));
    const state = `${kind}:${join(dir, "state")}`;
    const sinkDir = join(dir, "out");
    // Three runs killed at random points after some checkpoints, then one that may finish.
    let kills = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const run = await runJob(state, sinkDir, 1 + Math.floor(Math.random() * 6));
      if (run.killed) kills++;
    }
    const last = await runJob(state, sinkDir, null);
    expect(last.killed).toBe(false);
    expect(kills).toBeGreaterThan(0);
    const summaryLine = last.stdout.trim().split("\n").at(-1)!;
    const summary = JSON.parse(summaryLine) as { restoredFrom: number | null; recordsIn: number };
    expect(summary.restoredFrom).not.toBeNull();
    // Counters are checkpointed with the state: every element is counted exactly once.
    expect(summary.recordsIn).toBe(6000);
    const committed = await readCommittedJsonl(sinkDir);
    expect(finalView(committed)).toBe(expected);
    // Exactly once: no pane is committed twice (each key, window and pane index appears once).
    const panes = (committed as WindowResult<string, unknown>[]).map(
      (p) => `${p.key}@${p.window.start}#${p.pane.index}`,
    );
    expect(new Set(panes).size).toBe(panes.length);
  }, 120_000);
});

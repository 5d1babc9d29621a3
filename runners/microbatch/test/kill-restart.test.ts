import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { clearMemory, collected, createSink, createSource, readCommittedJsonl } from "@tributary/connectors";
import { runEmbedded } from "@tributary/runner-embedded";
import type { WindowResult } from "@tributary/sdk";
import { expect, it } from "vitest";
import { SOURCE_URI, spendPipeline } from "./fixtures/spend.ts";
import { killThenFinish } from "./kill-helper.ts";

const JOB = resolve(import.meta.dirname, "fixtures/spend-job.ts");

function finalView(panes: unknown[]): string {
  const view = new Map<string, unknown>();
  for (const p of panes as WindowResult<string, unknown>[]) view.set(`${p.key}@${p.window.start}`, p.value);
  return JSON.stringify([...view].sort(([a], [b]) => (a < b ? -1 : 1)));
}

it("kill -9 at random points, restart from the checkpoint directory: output equals an uninterrupted run, each pane committed once", async () => {
  await runEmbedded(spendPipeline().build(), {
    sources: { events: createSource(SOURCE_URI(), { recordSchema: {} }) },
    sinks: { out: createSink("memory:mb-kill-reference") },
  });
  const expected = finalView(collected("mb-kill-reference"));
  clearMemory();
  const dir = mkdtempSync(join(tmpdir(), "tributary-mb-kill-"));
  const sinkDir = join(dir, "out");
  const { kills, last } = await killThenFinish(JOB, [join(dir, "checkpoint"), sinkDir]);
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
}, 120_000);

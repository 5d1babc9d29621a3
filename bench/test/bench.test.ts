/**
 * Smoke test of `pnpm bench`: runs the real harness (child processes and all) on a tiny input
 * and checks that every figure is there and sane, and that the runner's results equal the
 * hand-written ceiling's. No timing assertions.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { BenchReport, WorkerResult } from "../src/index.ts";

const EVENTS = 20_000;
const RATE = 2_000;
const dir = mkdtempSync(join(tmpdir(), "tributary-bench-"));
const jsonFile = join(dir, "bench.json");
const repoRoot = resolve(import.meta.dirname, "../..");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("pnpm bench", () => {
  let report: BenchReport;
  let stdout: string;

  it("runs every workload and writes the JSON", async () => {
    const args = [
      "--import",
      "tsx",
      "bench/src/main.ts",
      "--events",
      String(EVENTS),
      "--keys",
      "500",
      "--tumbling-ms",
      "1000",
      "--latency-seconds",
      "1",
      "--rate",
      String(RATE),
      "--json",
      jsonFile,
    ];
    const run = await promisify(execFile)(process.execPath, args, { cwd: repoRoot });
    stdout = run.stdout;
    report = JSON.parse(readFileSync(jsonFile, "utf8")) as BenchReport;
    expect(stdout).toContain("events/s");
    expect(stdout).toContain("p99 ms");
  }, 120_000);

  it("records the machine", () => {
    const m = report.machine;
    expect(m.cpuModel).not.toBe("");
    expect(m.cores).toBeGreaterThan(0);
    expect(m.node).toBe(process.version);
    expect(m.loadAvgStart).toHaveLength(3);
  });

  const sane = (x: WorkerResult, events: number) => {
    expect(x.eventsIn).toBe(events);
    expect(x.elapsedMs).toBeGreaterThan(0);
    expect(x.eventsPerSec).toBeCloseTo(x.eventsIn / (x.elapsedMs / 1000), 3);
    expect(x.cpuMs).toBeGreaterThan(0);
    expect(x.eventsPerCpuSec).toBeGreaterThan(0);
    expect(x.peakRssMb).toBeGreaterThan(10);
    expect(x.peakRssMb).toBeLessThan(4096);
    expect(x.tally.results).toBeGreaterThan(0);
    expect(Number.isFinite(x.loadAvg1)).toBe(true);
  };

  it("measures each workload, runner and ceiling, with equal results", () => {
    expect(report.workloads.map((w) => w.name)).toEqual(["tumbling", "sliding", "stateless"]);
    for (const w of report.workloads) {
      sane(w.runner, EVENTS);
      sane(w.ceiling, EVENTS);
      expect(w.ratio).toBeCloseTo(w.runner.eventsPerSec / w.ceiling.eventsPerSec, 6);
      // The real correctness check: the same results, counted and checksummed at the sink.
      expect(w.runner.tally).toEqual(w.ceiling.tally);
      expect(w.resultsMatch).toBe(true);
      if (w.name === "stateless") {
        expect(w.status).toBeNull();
      } else {
        expect(w.targetEventsPerSec).toBeGreaterThan(0);
        expect(["PASS", "MISS"]).toContain(w.status);
      }
    }
    const [tumbling, sliding, stateless] = report.workloads;
    // Every event is counted in exactly one tumbling window.
    expect(tumbling!.runner.tally.valueSum).toBe(EVENTS);
    // 1 ms apart over 500 keys: at least one window per key and 20 s, at most one per event.
    expect(tumbling!.runner.tally.results).toBeGreaterThanOrEqual(500);
    expect(tumbling!.runner.tally.results).toBeLessThanOrEqual(EVENTS);
    // Each event is in 5 sliding windows; max values are in [0, 1000).
    expect(sliding!.runner.tally.results).toBeLessThanOrEqual(5 * EVENTS);
    const meanMax = sliding!.runner.tally.valueSum / sliding!.runner.tally.results;
    expect(meanMax).toBeGreaterThan(0);
    expect(meanMax).toBeLessThan(1000);
    // The filter keeps roughly half.
    expect(stateless!.runner.tally.results).toBeGreaterThan(EVENTS * 0.4);
    expect(stateless!.runner.tally.results).toBeLessThan(EVENTS * 0.6);
  });

  it("measures latency at the fixed rate", () => {
    const l = report.latency!;
    expect(l.rate).toBe(RATE);
    expect(["PASS", "MISS"]).toContain(l.status);
    for (const x of [l.runner, l.ceiling]) {
      sane(x, RATE);
      const s = x.latency!;
      expect(s.samples).toBe(x.tally.results);
      expect(s.p50Ms).toBeGreaterThanOrEqual(0);
      expect(s.p50Ms).toBeLessThanOrEqual(s.p99Ms);
      expect(s.p99Ms).toBeLessThanOrEqual(s.p999Ms);
      expect(s.p999Ms).toBeLessThanOrEqual(s.maxMs);
    }
    expect(l.runner.tally).toEqual(l.ceiling.tally);
    expect(l.resultsMatch).toBe(true);
  });
});

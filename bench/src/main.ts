/**
 * `pnpm bench [-- options]`: throughput of the embedded runner on three workloads against a
 * hand-written ceiling, and source-to-sink latency of a stateless pipeline at a fixed rate.
 * Every measurement runs in its own child process (see worker.ts).
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchOptions, parseArgs, UsageError, type WorkloadName } from "./args.ts";
import { type MachineInfo, machineInfo } from "./machine.ts";
import { fixed, formatTable, int, mega } from "./table.ts";
import type { WorkerResult, WorkerTask } from "./worker.ts";
import { SLIDING_SIZE_MS, SLIDING_SLIDE_MS } from "./workloads.ts";

const here = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(here, "../..");
const WORKER = resolve(here, "worker.ts");

/** Targets on one core. */
export const TARGETS = {
  tumbling: 2_000_000,
  sliding: 500_000,
  latencyP99Ms: 2,
} as const;

/** Targets of the micro-batch runner on one core: events/s and the ratio to the embedded runner. */
export const MICROBATCH_TARGETS = {
  tumbling: { eventsPerSec: 20_000_000, vsEmbedded: 8 },
  sliding: { eventsPerSec: 5_000_000, vsEmbedded: null },
} as const;

/** The micro-batch runner on the same workload (tumbling and sliding only). */
export interface MicroBatchReport {
  readonly result: WorkerResult;
  /** micro-batch events/s ÷ embedded runner events/s. */
  readonly vsEmbedded: number;
  readonly targetEventsPerSec: number;
  readonly targetVsEmbedded: number | null;
  readonly status: "PASS" | "MISS";
  readonly resultsMatch: boolean;
}

export interface WorkloadReport {
  readonly name: WorkloadName;
  readonly description: string;
  readonly runner: WorkerResult;
  readonly ceiling: WorkerResult;
  /** runner events/s ÷ ceiling events/s. */
  readonly ratio: number;
  /** Minimum events/s, or null when the workload has no throughput target. */
  readonly targetEventsPerSec: number | null;
  readonly status: "PASS" | "MISS" | null;
  /** The runner's sink output equals the ceiling's (count, value sum and checksum). */
  readonly resultsMatch: boolean;
  readonly microbatch?: MicroBatchReport;
}

export interface LatencyReport {
  readonly rate: number;
  readonly seconds: number;
  readonly runner: WorkerResult;
  readonly ceiling: WorkerResult;
  readonly targetP99Ms: number;
  readonly status: "PASS" | "MISS";
  readonly resultsMatch: boolean;
}

export interface BenchReport {
  readonly version: 1;
  readonly startedAt: string;
  readonly machine: MachineInfo;
  readonly options: BenchOptions;
  readonly workloads: readonly WorkloadReport[];
  readonly latency: LatencyReport | null;
}

function describe(name: WorkloadName, o: BenchOptions): string {
  switch (name) {
    case "tumbling":
      return `keyBy → tumbling(${o.tumblingMs / 1000}s) → count`;
    case "sliding":
      return `keyBy → sliding(${SLIDING_SIZE_MS / 1000}s, ${SLIDING_SLIDE_MS / 1000}s) → max`;
    case "stateless":
      return "map → filter (keeps ~50%)";
  }
}

function runWorker(task: WorkerTask, profileDir: string | null): Promise<WorkerResult> {
  const nodeArgs: string[] = [];
  if (profileDir !== null && task.mode === "runner") {
    mkdirSync(profileDir, { recursive: true });
    nodeArgs.push(
      "--cpu-prof",
      "--cpu-prof-dir",
      resolve(profileDir),
      "--cpu-prof-name",
      `${task.workload}-${task.phase}-${task.mode}.cpuprofile`,
    );
  }
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", WORKER, JSON.stringify(task)], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    stdout += chunk;
  });
  return new Promise((resolvePromise, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
      if (code !== 0 || line === undefined) {
        reject(
          new Error(`${task.workload} ${task.phase} (${task.mode}) failed with exit code ${code}\n${stdout}`),
        );
        return;
      }
      resolvePromise(JSON.parse(line.slice("BENCH_RESULT ".length)) as WorkerResult);
    });
  });
}

const sameOutput = (a: WorkerResult, b: WorkerResult) =>
  a.eventsIn === b.eventsIn &&
  a.tally.results === b.tally.results &&
  a.tally.checksum === b.tally.checksum &&
  Math.abs(a.tally.valueSum - b.tally.valueSum) <= 1e-9 * Math.abs(a.tally.valueSum);

function log(o: { quiet: boolean }, msg: string): void {
  if (!o.quiet) process.stderr.write(`${msg}\n`);
}

export async function runBench(options: BenchOptions, io = { quiet: false }): Promise<BenchReport> {
  const machine = machineInfo();
  const startedAt = new Date().toISOString();
  const base = {
    events: options.events,
    keys: options.keys,
    seed: options.seed,
    tumblingMs: options.tumblingMs,
  };
  const workloads: WorkloadReport[] = [];
  for (const name of options.only) {
    const task = (mode: WorkerTask["mode"]): WorkerTask => ({
      ...base,
      workload: name,
      mode,
      phase: "throughput",
      rate: 0,
    });
    log(io, `${name}: ceiling…`);
    const ceiling = await runWorker(task("ceiling"), null);
    log(io, `${name}: runner…`);
    const runner = await runWorker(task("runner"), options.profileDir);
    const target = name === "tumbling" ? TARGETS.tumbling : name === "sliding" ? TARGETS.sliding : null;
    let microbatch: MicroBatchReport | undefined;
    if (name === "tumbling" || name === "sliding") {
      log(io, `${name}: micro-batch runner…`);
      const result = await runWorker(task("microbatch"), options.profileDir);
      const t = MICROBATCH_TARGETS[name];
      const vsEmbedded = result.eventsPerSec / runner.eventsPerSec;
      const pass =
        result.eventsPerSec >= t.eventsPerSec && (t.vsEmbedded === null || vsEmbedded >= t.vsEmbedded);
      microbatch = {
        result,
        vsEmbedded,
        targetEventsPerSec: t.eventsPerSec,
        targetVsEmbedded: t.vsEmbedded,
        status: pass ? "PASS" : "MISS",
        resultsMatch: sameOutput(result, ceiling),
      };
    }
    workloads.push({
      ...(microbatch ? { microbatch } : {}),
      name,
      description: describe(name, options),
      runner,
      ceiling,
      ratio: runner.eventsPerSec / ceiling.eventsPerSec,
      targetEventsPerSec: target,
      status: target === null ? null : runner.eventsPerSec >= target ? "PASS" : "MISS",
      resultsMatch: sameOutput(runner, ceiling),
    });
  }

  let latency: LatencyReport | null = null;
  if (options.only.includes("stateless")) {
    const events = Math.max(1, Math.round(options.rate * options.latencySeconds));
    const task = (mode: WorkerTask["mode"]): WorkerTask => ({
      ...base,
      events,
      workload: "stateless",
      mode,
      phase: "latency",
      rate: options.rate,
    });
    log(io, `stateless latency at ${options.rate} events/s for ${options.latencySeconds}s: ceiling…`);
    const ceiling = await runWorker(task("ceiling"), null);
    log(io, "stateless latency: runner…");
    const runner = await runWorker(task("runner"), options.profileDir);
    latency = {
      rate: options.rate,
      seconds: options.latencySeconds,
      runner,
      ceiling,
      targetP99Ms: TARGETS.latencyP99Ms,
      status: runner.latency!.p99Ms < TARGETS.latencyP99Ms ? "PASS" : "MISS",
      resultsMatch: sameOutput(runner, ceiling),
    };
  }
  return { version: 1, startedAt, machine, options, workloads, latency };
}

export function formatReport(r: BenchReport): string {
  const m = r.machine;
  const lines = [
    `Tributary embedded runner benchmark — ${r.startedAt}`,
    `machine: ${m.cpuModel}, ${m.cores} cores, node ${m.node}, ${m.platform}; load average at start ${m.loadAvgStart.join(" ")}`,
    `input: generator:numbers, ${int(r.options.events)} events, ${int(r.options.keys)} keys, 1 partition (targets are for one core)`,
    "",
  ];
  const rows: string[][] = [];
  for (const w of r.workloads) {
    for (const [impl, x] of [
      ["runner", w.runner],
      ["ceiling", w.ceiling],
    ] as const) {
      rows.push([
        impl === "runner" ? `${w.name}: ${w.description}` : "",
        impl,
        int(x.eventsIn),
        fixed(x.elapsedMs / 1000, 2),
        mega(x.eventsPerSec),
        mega(x.eventsPerCpuSec),
        fixed(x.peakRssMb, 0),
        int(x.tally.results),
        fixed(x.loadAvg1, 2),
        impl === "runner" ? fixed(w.ratio, 2) : "",
        impl === "runner" && w.targetEventsPerSec !== null ? `≥ ${mega(w.targetEventsPerSec)}` : "",
        impl === "runner" ? (w.status ?? "-") : "",
        impl === "runner" ? (w.resultsMatch ? "yes" : "NO") : "",
      ]);
    }
  }
  if (rows.length > 0) {
    lines.push(
      formatTable(
        [
          "workload",
          "impl",
          "events",
          "elapsed s",
          "events/s",
          "per CPU-s",
          "peak RSS MB",
          "results",
          "load",
          "runner/ceiling",
          "target",
          "status",
          "= ceiling",
        ],
        rows,
      ),
    );
  }
  const mb = r.workloads.filter((w) => w.microbatch !== undefined);
  if (mb.length > 0) {
    lines.push("", "micro-batch runner (same input, same process isolation):");
    lines.push(
      formatTable(
        [
          "workload",
          "events/s",
          "per CPU-s",
          "peak RSS MB",
          "load",
          "× embedded",
          "target",
          "status",
          "= ceiling",
        ],
        mb.map((w) => {
          const m = w.microbatch!;
          return [
            w.name,
            mega(m.result.eventsPerSec),
            mega(m.result.eventsPerCpuSec),
            fixed(m.result.peakRssMb, 0),
            fixed(m.result.loadAvg1, 2),
            fixed(m.vsEmbedded, 2),
            `≥ ${mega(m.targetEventsPerSec)}${m.targetVsEmbedded === null ? "" : ` and ≥ ${m.targetVsEmbedded}×`}`,
            m.status,
            m.resultsMatch ? "yes" : "NO",
          ];
        }),
      ),
    );
  }
  const l = r.latency;
  if (l !== null) {
    lines.push("", `stateless latency, source → sink, at ${int(l.rate)} events/s for ${l.seconds}s:`);
    const lrows = [
      ["runner", l.runner],
      ["ceiling", l.ceiling],
    ].map(([impl, x]) => {
      const res = x as WorkerResult;
      const s = res.latency!;
      return [
        impl as string,
        int(res.eventsIn),
        int(s.samples),
        fixed(s.p50Ms, 3),
        fixed(s.p99Ms, 3),
        fixed(s.p999Ms, 3),
        fixed(s.maxMs, 3),
        fixed(res.peakRssMb, 0),
        fixed(res.loadAvg1, 2),
        impl === "runner" ? `p99 < ${l.targetP99Ms} ms` : "",
        impl === "runner" ? l.status : "",
        impl === "runner" ? (l.resultsMatch ? "yes" : "NO") : "",
      ];
    });
    lines.push(
      formatTable(
        [
          "impl",
          "events",
          "samples",
          "p50 ms",
          "p99 ms",
          "p99.9 ms",
          "max ms",
          "peak RSS MB",
          "load",
          "target",
          "status",
          "= ceiling",
        ],
        lrows,
      ),
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const report = await runBench(options);
  console.log(formatReport(report));
  if (options.json !== null) {
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nfigures written to ${options.json}`);
  }
  const mismatch =
    report.workloads.some((w) => !w.resultsMatch || w.microbatch?.resultsMatch === false) ||
    report.latency?.resultsMatch === false;
  if (mismatch) {
    console.error("\nERROR: the runner's results differ from the hand-written ceiling's");
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}

/**
 * One measurement, in its own process (so peak RSS is this measurement's alone):
 * `node --import tsx bench/src/worker.ts '<WorkerTask JSON>'`. Prints one line
 * `BENCH_RESULT <WorkerResult JSON>` on stdout.
 */
import { loadavg } from "node:os";
import { runEmbedded } from "@tributary/runner-embedded";
import { runMicroBatch } from "@tributary/runner-microbatch";
import type { BuiltPipeline } from "@tributary/sdk";
import type { WorkloadName } from "./args.ts";
import type { Tally } from "./checksum.ts";
import {
  CountingSink,
  LatencyRecorder,
  type LatencySummary,
  numbersSource,
  PacedStampingSource,
} from "./io.ts";
import {
  COUNT_AGG,
  elementTallier,
  MAX_AGG,
  mapFilterBatch,
  type NumberEvent,
  SLIDING_SIZE_MS,
  SLIDING_SLIDE_MS,
  slidingPipeline,
  statelessPipeline,
  tumblingPipeline,
  WindowCeiling,
  windowTallier,
} from "./workloads.ts";

export interface WorkerTask {
  readonly workload: WorkloadName;
  /** `runner`: the embedded runner; `microbatch`: the micro-batch runner; `ceiling`: hand-written. */
  readonly mode: "runner" | "microbatch" | "ceiling";
  /** `throughput`: as fast as possible; `latency`: the stateless workload at a fixed rate. */
  readonly phase: "throughput" | "latency";
  readonly events: number;
  readonly keys: number;
  readonly seed: number;
  readonly tumblingMs: number;
  /** Events per second (latency phase only). */
  readonly rate: number;
}

export interface WorkerResult {
  readonly task: WorkerTask;
  /** Events read from the source. */
  readonly eventsIn: number;
  readonly elapsedMs: number;
  readonly eventsPerSec: number;
  /** User + system CPU time of the measured section, ms (less sensitive to other load than elapsed). */
  readonly cpuMs: number;
  /** Events per second of CPU time. */
  readonly eventsPerCpuSec: number;
  /** `process.resourceUsage().maxRSS` at the end, in MiB. */
  readonly peakRssMb: number;
  /** What reached the sink. */
  readonly tally: Tally;
  readonly latency: LatencySummary | null;
  /** 1-minute load average when the measurement started. */
  readonly loadAvg1: number;
}

const READ_BATCH = 1024;

function pipelineOf(task: WorkerTask): BuiltPipeline {
  switch (task.workload) {
    case "tumbling":
      return tumblingPipeline(task.tumblingMs);
    case "sliding":
      return slidingPipeline();
    case "stateless":
      return statelessPipeline();
  }
}

async function runTask(task: WorkerTask): Promise<WorkerResult> {
  const loadAvg1 = loadavg()[0]!;
  const { keys, seed } = task;
  const latencyPhase = task.phase === "latency";
  const source = latencyPhase
    ? new PacedStampingSource(numbersSource({ keys, seed }), task.rate, task.events)
    : numbersSource({ events: task.events, keys, seed });
  const tallier = task.workload === "stateless" ? elementTallier() : windowTallier();
  const recorder = latencyPhase ? new LatencyRecorder(task.events) : null;
  const sink = new CountingSink(
    recorder
      ? (values) => {
          recorder.record(values);
          tallier.consume(values);
        }
      : tallier.consume,
  );

  let eventsIn = 0;
  let elapsedMs: number;
  const cpu0 = process.cpuUsage();
  if (task.mode === "runner" || task.mode === "microbatch") {
    const built = pipelineOf(task);
    const t0 = performance.now();
    const run = task.mode === "runner" ? runEmbedded : runMicroBatch;
    const result = await run(built, { sources: { events: source }, sinks: { out: sink } });
    elapsedMs = performance.now() - t0;
    eventsIn = result.recordsIn;
    if (result.deadLetters > 0)
      throw new Error(`${result.deadLetters} dead letters: ${result.deadLetterSample[0]?.message}`);
  } else {
    const t0 = performance.now();
    const reader = await source.open(0, null);
    const values: NumberEvent[] = [];
    if (task.workload === "stateless") {
      for (let items = await reader.read(READ_BATCH); items !== null; items = await reader.read(READ_BATCH)) {
        values.length = 0;
        for (const item of items) if (item.kind === "element") values.push(item.value as NumberEvent);
        eventsIn += values.length;
        const out = mapFilterBatch(values);
        if (out.length > 0) sink.write(out);
      }
    } else {
      const windows =
        task.workload === "tumbling"
          ? new WindowCeiling(task.tumblingMs, task.tumblingMs, COUNT_AGG, (r) => sink.write(r))
          : new WindowCeiling(SLIDING_SIZE_MS, SLIDING_SLIDE_MS, MAX_AGG, (r) => sink.write(r));
      for (let items = await reader.read(READ_BATCH); items !== null; items = await reader.read(READ_BATCH)) {
        for (const item of items) if (item.kind === "element") windows.add(item.value as NumberEvent);
        eventsIn += items.length;
        windows.advance();
      }
      windows.advance(Number.POSITIVE_INFINITY);
    }
    await reader.close();
    elapsedMs = performance.now() - t0;
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    task,
    cpuMs,
    eventsPerCpuSec: eventsIn / (cpuMs / 1000),
    eventsIn,
    elapsedMs,
    eventsPerSec: eventsIn / (elapsedMs / 1000),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    tally: tallier.tally,
    latency: recorder ? recorder.summary() : null,
    loadAvg1,
  };
}

const raw = process.argv[2];
if (raw === undefined) {
  console.error("usage: node --import tsx bench/src/worker.ts '<task JSON>'");
  process.exit(2);
}
const result = await runTask(JSON.parse(raw) as WorkerTask);
process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);

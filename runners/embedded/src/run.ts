/**
 * The embedded runner: runs a pipeline record-at-a-time inside the caller's process.
 *
 * The data path: {@link openPartitions} reads source partitions → records are queued to the
 * source's consumers → {@link pump} moves them through the operators of the shared operator
 * library in topological order and advances watermarks → sinks write. Checkpoints are taken
 * between passes ({@link takeCheckpoint}); a restart resumes from the last one.
 */
import { type DeadLetter, MemoryStateBackend } from "@tributary/operators";
import type { BuiltPipeline } from "@tributary/sdk";
import { restoreFromCheckpoint, takeCheckpoint } from "./checkpoint/coordinator.ts";
import { buildJobGraph, type JobGraph } from "./job/graph.ts";
import { lowestSourceWatermark, pump } from "./job/pump.ts";
import { type OpenPartition, openPartitions, readPartition } from "./job/source-partitions.ts";
import type { EmbeddedRunOptions, JobResult, Progress } from "./options.ts";
import { seededRandom } from "./random.ts";

const DEAD_LETTER_SAMPLE = 20;

/**
 * Run `built` on the embedded runner until its sources are exhausted (or `options.signal` aborts).
 *
 * @example
 * ```ts
 * const result = await runEmbedded(definition.build(), {
 *   sources: { transactions: createSource("file:data/tx.jsonl", { recordSchema }) },
 *   sinks: { alerts: createSink("console:") },
 * });
 * console.log(result.counters);
 * ```
 */
export async function runEmbedded(built: BuiltPipeline, options: EmbeddedRunOptions): Promise<JobResult> {
  const started = performance.now();
  const state = options.state ?? new MemoryStateBackend();
  const graph = buildJobGraph(built, options, state);
  const deadLetterSample: DeadLetter[] = [];
  graph.onDeadLetter = (letter) => {
    if (deadLetterSample.length < DEAD_LETTER_SAMPLE) deadLetterSample.push(letter);
  };

  const restored = await state.restore();
  const positions = await restoreFromCheckpoint(graph, restored);
  let checkpointId = restored?.id ?? 0;
  let checkpoints = 0;
  const partitions = await openPartitions(graph, positions);
  const checkpoint = async () => {
    checkpointId++;
    checkpoints++;
    await takeCheckpoint(checkpointId, graph, partitions, state);
  };

  let completed = false;
  try {
    // Partitions that were already finished at the checkpoint report so on their first read.
    await pump(graph);
    completed = await readUntilDone(
      graph,
      partitions,
      options,
      checkpoint,
      started,
      () => checkpoints,
      () => checkpointId,
    );
    await pump(graph);
    await checkpoint(); // the final checkpoint commits the sinks' last output
  } finally {
    await Promise.all(partitions.map((p) => p.reader.close()));
    if (completed || options.signal?.aborted) for (const s of graph.sinks) await s.sink.close();
    if (!options.state) await state.close();
  }

  const counters = Object.fromEntries(graph.nodes.map((n) => [n.node.id, { ...n.counters }]));
  const sum = (f: (c: JobResult["counters"][string]) => number) =>
    Object.values(counters).reduce((acc, c) => acc + f(c), 0);
  return {
    counters,
    recordsIn: graph.sources.reduce((acc, s) => acc + s.node.counters.in, 0),
    deadLetters: sum((c) => c.deadLettered),
    deadLetterSample,
    checkpoints,
    restoredFrom: restored?.id ?? null,
    elapsedMs: performance.now() - started,
    completed,
  };
}

/** The source loop. Returns true when every partition is finished, false when stopped. */
async function readUntilDone(
  graph: JobGraph,
  partitions: readonly OpenPartition[],
  options: EmbeddedRunOptions,
  checkpoint: () => Promise<void>,
  started: number,
  checkpointsTaken: () => number,
  lastCheckpointId: () => number,
): Promise<boolean> {
  const batchSize = options.batchSize ?? 1024;
  const schedule = options.schedule ?? { kind: "round-robin" };
  const random = schedule.kind === "random" ? seededRandom(schedule.seed) : null;
  const everyBatches = options.checkpoints?.everyBatches;
  const intervalMs = options.checkpoints?.intervalMs;
  const progressEvery = options.progressIntervalMs ?? 250;
  const active = partitions.filter((p) => !p.done);
  let turn = 0;
  let reads = 0;
  let idleReads = 0;
  let lastCheckpoint = performance.now();
  let lastProgress = lastCheckpoint;

  while (active.length > 0) {
    if (options.signal?.aborted) return false;
    const index = random ? Math.floor(random() * active.length) : turn++ % active.length;
    const part = active[index]!;
    const max = random ? 1 + Math.floor(random() * batchSize) : batchSize;
    const read = await readPartition(graph, part, max);
    if (read === null) active.splice(index, 1);
    idleReads = read === 0 ? idleReads + 1 : 0;
    await pump(graph);
    reads++;

    const now = performance.now();
    if ((everyBatches && reads % everyBatches === 0) || (intervalMs && now - lastCheckpoint >= intervalMs)) {
      await checkpoint();
      lastCheckpoint = performance.now();
      await options.onCheckpoint?.(lastCheckpointId());
    }
    if (options.onProgress && now - lastProgress >= progressEvery) {
      lastProgress = now;
      options.onProgress(progressOf(graph, started, checkpointsTaken()));
    }
    // Every active partition of an unbounded source had nothing: wait a little instead of spinning.
    if (idleReads >= active.length && active.length > 0) {
      idleReads = 0;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  return true;
}

function progressOf(graph: JobGraph, started: number, checkpoints: number): Progress {
  let recordsIn = 0;
  let deadLetters = 0;
  for (const s of graph.sources) recordsIn += s.node.counters.in;
  for (const n of graph.nodes) deadLetters += n.counters.deadLettered;
  return {
    recordsIn,
    elapsedMs: performance.now() - started,
    watermark: lowestSourceWatermark(graph),
    checkpoints,
    deadLetters,
  };
}

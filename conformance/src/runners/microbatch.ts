/**
 * The micro-batch runner (`@tributary/runner-microbatch`) as a {@link RunnerUnderTest}.
 *
 * How an {@link ExecutionPlan} maps onto `runMicroBatch`:
 * - input: every source name is bound to a {@link LinesSource} over the plan's raw lines (as for
 *   the embedded runner; it has no columnar reads, so batches are decoded row by row), every
 *   sink name to a fresh exactly-once `memory:` sink read back with `collected`;
 * - trigger `availableNow`: everything in batches of at most `maxRowsPerBatch` rows, then stop;
 * - `batchSize` → `maxRowsPerBatch`, unless the configuration fixes a size (the matrix does:
 *   1, 7, 1000, 65536);
 * - `interleavingSeed` and `parallelism` are IGNORED: the runner plans each batch itself (every
 *   partition in turn, from a rotating start, each up to an equal share of the row budget) and
 *   runs it as one task. What varies here is where the batch boundaries fall;
 * - `crashAfterCheckpoints` → the job runs on a fresh temporary `checkpointDir` (offset log,
 *   commit log, state versions; `durable: false`, a full state snapshot every
 *   `fullSnapshotEvery` batches, deltas in between). Checkpoint `n` is the commit of batch
 *   `n - 1`. Crash point `n` throws a {@link SimulatedCrash} at one of three places around
 *   checkpoint `n`, chosen by `n mod 3` so that every restart path is exercised (and all three
 *   can strike a job of a single batch):
 *   - 1: while taking it: batch `n - 1`'s offsets and state version are written, its commit is
 *     not (thrown from the first sink's `preCommit`): restore `n - 1` and *replay* the logged
 *     batch;
 *   - 2: its commit log entry is written, the sinks have not committed (thrown from the first
 *     sink's `commit`): the restarted sinks commit it in `recover`;
 *   - 0: right after it completed (thrown from `onBatch`): restore `n` and continue.
 *   The job is then started again on the same directory with fresh source readers and fresh sink
 *   objects of the same names, until a run completes; the next crash point strikes at the first
 *   checkpoint at or after it. The output is what the sinks committed over all attempts; the
 *   counters are the completing run's (they are part of the state). A crash point beyond the
 *   job's last checkpoint never fires (nor do the ones after it).
 * - the runner never emits early panes (`early` triggers are not implemented by it, which
 *   SEMANTICS.md §5 allows); the adapter declares `emitsEarlyPanes: false`, so the pane
 *   invariants hold it to that instead of passing early-pane checks vacuously.
 *
 * Like the embedded adapter, it owns the process-wide `memory:` store while it runs (runs must
 * not overlap in one process).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clearMemory, collected, MemorySink, type Sink, type Source } from "@tributary/connectors";
import { type MicroBatchResult, runMicroBatch } from "@tributary/runner-microbatch";
import type { BuiltPipeline } from "@tributary/sdk";
import type { ExecutionPlan, NodeCounters, PartitionedInput, RunnerUnderTest, RunOutput } from "../runner.ts";
import { SimulatedCrash } from "./embedded.ts";
import { LinesSource } from "./lines-source.ts";

/** One configuration of the micro-batch runner in the runner matrix. */
export interface MicroBatchRunnerConfig {
  /** Name in the table; default derived from the other fields. */
  name?: string;
  /** Fixed `maxRowsPerBatch`; default: the plan's batch size. */
  batchSize?: number;
  /** When the plan has crash points: a full state snapshot every this many batches (default 3). */
  fullSnapshotEvery?: number;
}

/** Where a crash point `n` strikes (see the module comment). */
type CrashPlace = "after-commit" | "before-commit" | "before-sink-commit";

function crashPlace(n: number): CrashPlace {
  return (["after-commit", "before-commit", "before-sink-commit"] as const)[n % 3]!;
}

/** The live crash point of one attempt, shared by its sinks. */
interface CrashSwitch {
  at: number | undefined;
}

/**
 * A memory sink that throws a {@link SimulatedCrash} in `preCommit` (`before-commit`) or in
 * `commit` (`before-sink-commit`) of checkpoint `at` or later.
 */
class CrashingSink implements Sink {
  readonly description: string;
  private readonly inner: MemorySink;
  private pending = 0;

  constructor(
    name: string,
    private readonly crash: CrashSwitch,
  ) {
    this.inner = new MemorySink(name);
    this.description = this.inner.description;
  }

  write(values: readonly unknown[]): void {
    this.inner.write(values);
  }

  async preCommit(checkpointId: number): Promise<unknown> {
    const at = this.crash.at;
    if (at !== undefined && crashPlace(at) === "before-commit" && checkpointId >= at)
      throw new SimulatedCrash(at);
    this.pending = checkpointId;
    return this.inner.preCommit(checkpointId);
  }

  async commit(token: unknown): Promise<void> {
    const at = this.crash.at;
    if (at !== undefined && crashPlace(at) === "before-sink-commit" && this.pending >= at)
      throw new SimulatedCrash(at);
    return this.inner.commit(token);
  }

  recover(token: unknown | null): Promise<void> {
    return this.inner.recover(token);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

let runs = 0;

/** A micro-batch runner configuration as a {@link RunnerUnderTest}. */
export function microBatchRunner(config: MicroBatchRunnerConfig = {}): RunnerUnderTest {
  return {
    name: config.name ?? `microbatch[availableNow, batch ${config.batchSize ?? "plan"}]`,
    expression: `microBatchRunner(${JSON.stringify(config)})`,
    emitsEarlyPanes: false,
    async run(built: BuiltPipeline, input: PartitionedInput, plan: ExecutionPlan): Promise<RunOutput> {
      const id = ++runs;
      const sinkNames = built.ir.nodes.flatMap((n) => (n.kind === "sink" ? [n.params.name] : []));
      const sourceNames = built.ir.nodes.flatMap((n) => (n.kind === "source" ? [n.params.name] : []));
      const memoryName = (sink: string) => `conformance-mb-${id}/${sink}`;
      const sources: Record<string, Source> = {};
      for (const name of sourceNames) sources[name] = new LinesSource(name, input[name] ?? []);
      const crashPoints = [...(plan.crashAfterCheckpoints ?? [])];
      const plannedCrashes = crashPoints.length;
      const dir = plannedCrashes > 0 ? await mkdtemp(join(tmpdir(), "tributary-conformance-mb-")) : undefined;
      try {
        let result: MicroBatchResult | undefined;
        for (let attempt = 0; result === undefined; attempt++) {
          if (attempt > plannedCrashes) throw new Error("micro-batch adapter: more crashes than planned");
          const crash: CrashSwitch = { at: crashPoints[0] };
          const sinks: Record<string, Sink> = {};
          for (const name of sinkNames) sinks[name] = new CrashingSink(memoryName(name), crash);
          try {
            result = await runMicroBatch(built, {
              sources,
              sinks,
              trigger: { kind: "availableNow" },
              maxRowsPerBatch: config.batchSize ?? plan.batchSize,
              ...(dir === undefined
                ? {}
                : {
                    checkpointDir: dir,
                    durable: false,
                    fullSnapshotEvery: config.fullSnapshotEvery ?? 3,
                    onBatch: (batch) => {
                      const at = crash.at;
                      if (at !== undefined && crashPlace(at) === "after-commit" && batch.batchId + 1 >= at)
                        throw new SimulatedCrash(batch.batchId + 1);
                    },
                  }),
            });
          } catch (error) {
            if (!(error instanceof SimulatedCrash)) throw error;
            crashPoints.shift();
          }
        }
        if (!result.completed) throw new Error("micro-batch adapter: the job stopped before its input ended");
        const sinkOutput: Record<string, unknown[]> = {};
        for (const name of sinkNames) sinkOutput[name] = collected(memoryName(name));
        const counters: Record<string, NodeCounters> = {};
        for (const [node, c] of Object.entries(result.counters)) counters[node] = { ...c };
        return { sinks: sinkOutput, counters };
      } finally {
        clearMemory();
        if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The batch sizes of the matrix: row at a time, small, larger than any generated input, the default. */
export const MICROBATCH_BATCH_SIZES: readonly number[] = [1, 7, 1000, 65536];

/**
 * The runner matrix of the micro-batch runner: trigger `availableNow` at each of
 * {@link MICROBATCH_BATCH_SIZES}. Every configuration crashes and restarts from its checkpoint
 * directory where the plan says so.
 */
export const MICROBATCH_MATRIX: readonly RunnerUnderTest[] = MICROBATCH_BATCH_SIZES.map((batchSize) =>
  microBatchRunner({ batchSize }),
);

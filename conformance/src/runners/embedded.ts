/**
 * The embedded runner (`@tributary/runner-embedded`) as a {@link RunnerUnderTest}.
 *
 * How an {@link ExecutionPlan} maps onto `runEmbedded`:
 * - input: every source name is bound to a {@link LinesSource} over the plan's raw lines (one
 *   partition per list; offsets are 1-based line numbers, as for file sources); every sink name
 *   to a fresh exactly-once `memory:` sink, read back with `collected` (committed output only);
 * - `interleavingSeed` → `schedule: { kind: "random", seed }` (a seeded random partition and a
 *   random read size up to the batch size each time), unless the configuration fixes round-robin;
 * - `batchSize` → `batchSize` (unless the configuration fixes one);
 * - `parallelism` is IGNORED: the embedded runner runs a job as one single-threaded task, and
 *   the adapter does not pretend otherwise. Parallel execution is for other runners; here the
 *   interleaving of partitions and the read sizes are what vary;
 * - `crashAfterCheckpoints` (honoured by every configuration) → the job runs with a {@link MemoryStateBackend} and
 *   `checkpoints: { everyBatches }`; `onCheckpoint` throws a simulated crash after checkpoint
 *   `n` (checkpoint ids continue across restores), the job is started again on the same backend
 *   with fresh source readers and fresh sink objects of the same names (which recover the
 *   committed transactions and discard the rest), until a run completes. The output is what the
 *   sinks committed over all attempts; the counters are the completing run's (they are part of
 *   the checkpoint).
 *
 * The adapter owns the process-wide `memory:` store while it runs: after each run it reads the
 * committed output and calls `clearMemory()`, so runs must not overlap in one process (the suite
 * runs them one after another).
 */
import { clearMemory, collected, MemorySink, type Sink, type Source } from "@tributary/connectors";
import { MemoryStateBackend } from "@tributary/operators";
import { type JobResult, runEmbedded, type Schedule } from "@tributary/runner-embedded";
import type { BuiltPipeline } from "@tributary/sdk";
import type { ExecutionPlan, NodeCounters, PartitionedInput, RunnerUnderTest, RunOutput } from "../runner.ts";
import { LinesSource } from "./lines-source.ts";

/** One configuration of the embedded runner in the runner matrix. */
export interface EmbeddedRunnerConfig {
  /** Name in the table; default derived from the other fields. */
  name?: string;
  /** `random` (default): seeded by the plan's interleavingSeed. `round-robin`: fixed order. */
  schedule?: "random" | "round-robin";
  /** Fixed batch size; default: the plan's. */
  batchSize?: number;
  /** When the plan has crash points: checkpoint every this many source reads (default 1). */
  checkpointEveryBatches?: number;
}

/** Thrown from `onCheckpoint` to simulate a crash right after checkpoint `id` completed. */
export class SimulatedCrash extends Error {
  override name = "SimulatedCrash";
  constructor(readonly checkpointId: number) {
    super(`simulated crash after checkpoint ${checkpointId}`);
  }
}

let runs = 0;

function describeConfig(config: EmbeddedRunnerConfig): string {
  const parts = [
    config.schedule === "round-robin" ? "round-robin" : "random",
    `batch ${config.batchSize ?? "plan"}`,
  ];
  if (config.checkpointEveryBatches !== undefined)
    parts.push(`checkpoint every ${config.checkpointEveryBatches} reads`);
  return `embedded[${parts.join(", ")}]`;
}

/** An embedded-runner configuration as a {@link RunnerUnderTest}. */
export function embeddedRunner(config: EmbeddedRunnerConfig = {}): RunnerUnderTest {
  return {
    name: config.name ?? describeConfig(config),
    expression: `embeddedRunner(${JSON.stringify(config)})`,
    async run(built: BuiltPipeline, input: PartitionedInput, plan: ExecutionPlan): Promise<RunOutput> {
      const id = ++runs;
      const sinkNames = built.ir.nodes.flatMap((n) => (n.kind === "sink" ? [n.params.name] : []));
      const sourceNames = built.ir.nodes.flatMap((n) => (n.kind === "source" ? [n.params.name] : []));
      const memoryName = (sink: string) => `conformance-${id}/${sink}`;
      const sources: Record<string, Source> = {};
      for (const name of sourceNames) sources[name] = new LinesSource(name, input[name] ?? []);
      const schedule: Schedule =
        config.schedule === "round-robin"
          ? { kind: "round-robin" }
          : { kind: "random", seed: plan.interleavingSeed };
      const crashPoints = [...(plan.crashAfterCheckpoints ?? [])];
      const plannedCrashes = crashPoints.length;
      const state = new MemoryStateBackend();
      try {
        let result: JobResult | undefined;
        for (let attempt = 0; result === undefined; attempt++) {
          if (attempt > plannedCrashes) throw new Error("embedded adapter: more crashes than planned");
          const crashAt = crashPoints[0];
          const sinks: Record<string, Sink> = {};
          for (const name of sinkNames) sinks[name] = new MemorySink(memoryName(name));
          try {
            result = await runEmbedded(built, {
              sources,
              sinks,
              state,
              batchSize: config.batchSize ?? plan.batchSize,
              schedule,
              ...(crashAt === undefined
                ? {}
                : {
                    checkpoints: { everyBatches: config.checkpointEveryBatches ?? 1 },
                    onCheckpoint: (checkpointId: number) => {
                      if (checkpointId >= crashAt) throw new SimulatedCrash(checkpointId);
                    },
                  }),
            });
          } catch (error) {
            if (!(error instanceof SimulatedCrash)) throw error;
            crashPoints.shift();
          }
        }
        const sinkOutput: Record<string, unknown[]> = {};
        for (const name of sinkNames) sinkOutput[name] = collected(memoryName(name));
        const counters: Record<string, NodeCounters> = {};
        for (const [node, c] of Object.entries(result.counters)) counters[node] = { ...c };
        return { sinks: sinkOutput, counters };
      } finally {
        await state.close();
        clearMemory();
      }
    },
  };
}

/**
 * The runner matrix: the embedded runner in configurations that stress different things
 * (record-at-a-time in a fixed order; small random reads; whole partitions at once; the plan's
 * batch size with sparser checkpoints). Every configuration crashes and restores where the plan
 * says so (most generated plans have crash points).
 */
export const EMBEDDED_MATRIX: readonly RunnerUnderTest[] = [
  embeddedRunner({ schedule: "round-robin", batchSize: 1 }),
  embeddedRunner({ batchSize: 7 }),
  embeddedRunner({ batchSize: 1000 }),
  embeddedRunner({ checkpointEveryBatches: 3 }),
];

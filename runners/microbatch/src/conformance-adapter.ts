/**
 * The micro-batch runner as a conformance `RunnerUnderTest` (structurally typed, so this package
 * does not depend on the suite): every source bound to a raw-lines source, every sink to a fresh
 * exactly-once memory sink read back after the run. With `crashes`, the job runs on a checkpoint
 * directory and is "killed" (its batch callback throws) after the planned batches, then restarted.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clearMemory, collected, MemorySink, type Sink, type Source } from "@tributary/connectors";
import type { BuiltPipeline } from "@tributary/sdk";
import type { MicroBatchResult } from "./options.ts";
import { runMicroBatch } from "./run.ts";

export interface MicroBatchAdapterConfig {
  readonly batchSize: number;
  readonly crashes?: boolean;
  /** Builds a source over raw JSON lines (the suite's LinesSource). */
  readonly linesSource: (name: string, partitions: string[][]) => Source;
}

class Crash extends Error {}

let runs = 0;

export function microBatchRunner(config: MicroBatchAdapterConfig) {
  return {
    name: `microbatch[batch ${config.batchSize}${config.crashes ? ", crashes" : ""}]`,
    async run(
      built: BuiltPipeline,
      input: Record<string, string[][]>,
      plan: { crashAfterCheckpoints?: number[] },
    ): Promise<{
      sinks: Record<string, unknown[]>;
      counters: Record<string, MicroBatchResult["counters"][string]>;
    }> {
      const id = ++runs;
      const sinkNames = built.ir.nodes.flatMap((n) => (n.kind === "sink" ? [n.params.name] : []));
      const sourceNames = built.ir.nodes.flatMap((n) => (n.kind === "source" ? [n.params.name] : []));
      const memoryName = (s: string) => `microbatch-${id}/${s}`;
      const sources: Record<string, Source> = {};
      for (const name of sourceNames) sources[name] = config.linesSource(name, input[name] ?? []);
      const crashPoints = config.crashes ? [...(plan.crashAfterCheckpoints ?? [])] : [];
      const dir = crashPoints.length > 0 ? await mkdtemp(join(tmpdir(), "mb-conf-")) : undefined;
      try {
        let result: MicroBatchResult | undefined;
        while (result === undefined) {
          const sinks: Record<string, Sink> = {};
          for (const name of sinkNames) sinks[name] = new MemorySink(memoryName(name));
          const crashAt = crashPoints[0];
          try {
            result = await runMicroBatch(built, {
              sources,
              sinks,
              maxRowsPerBatch: config.batchSize,
              ...(dir ? { checkpointDir: dir, durable: false, fullSnapshotEvery: 3 } : {}),
              ...(crashAt === undefined
                ? {}
                : {
                    onBatch: (b) => {
                      if (b.batchId + 1 >= crashAt) throw new Crash();
                    },
                  }),
            });
          } catch (e) {
            if (!(e instanceof Crash)) throw e;
            crashPoints.shift();
          }
        }
        const out: Record<string, unknown[]> = {};
        for (const name of sinkNames) out[name] = collected(memoryName(name));
        const counters: Record<string, MicroBatchResult["counters"][string]> = {};
        for (const [node, c] of Object.entries(result.counters)) counters[node] = { ...c };
        return { sinks: out, counters };
      } finally {
        clearMemory();
        if (dir) await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

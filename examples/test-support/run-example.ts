/**
 * Runs an example the way `tributary run examples/NAME/pipeline.ts` does (its
 * tributary.config.json bindings), but with every sink bound to an in-memory collector.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  clearMemory,
  collected,
  createSink,
  createSource,
  type Sink,
  type Source,
} from "@tributary/connectors";
import { type JobResult, runEmbedded } from "@tributary/runner-embedded";
import type { BuiltPipeline } from "@tributary/sdk";

export interface ExampleRun {
  readonly result: JobResult;
  /** What each sink received, by sink name. */
  readonly sinks: Record<string, unknown[]>;
}

export async function runExample(pipelineFile: string, built: BuiltPipeline): Promise<ExampleRun> {
  const dir = dirname(pipelineFile);
  const config = JSON.parse(readFileSync(join(dir, "tributary.config.json"), "utf8")) as {
    sources: Record<string, string>;
    sinks: Record<string, string>;
  };
  const sources: Record<string, Source> = {};
  for (const node of built.ir.nodes) {
    if (node.kind !== "source") continue;
    const uri = config.sources[node.params.name]!.replace(/^file:(?!\/)/, `file:${dir}/`);
    sources[node.params.name] = createSource(uri, { recordSchema: node.params.recordSchema });
  }
  const sinks: Record<string, Sink> = {};
  const names = built.ir.nodes.flatMap((n) => (n.kind === "sink" ? [n.params.name] : []));
  clearMemory();
  for (const name of names) sinks[name] = createSink(`memory:example-${name}`);
  const result = await runEmbedded(built, { sources, sinks });
  return { result, sinks: Object.fromEntries(names.map((n) => [n, collected(`example-${n}`)])) };
}

/** Every element a source URI yields, partition by partition (for computing expectations directly). */
export async function readAll(uri: string, baseDir: string): Promise<unknown[][]> {
  const source = createSource(uri.replace(/^file:(?!\/)/, `file:${resolve(baseDir)}/`), { recordSchema: {} });
  const out: unknown[][] = [];
  for (let p = 0; p < (await source.partitions()); p++) {
    const reader = await source.open(p, null);
    const values: unknown[] = [];
    for (let items = await reader.read(4096); items !== null; items = await reader.read(4096)) {
      for (const item of items) if (item.kind === "element") values.push(item.value);
    }
    await reader.close();
    out.push(values);
  }
  return out;
}

export function configOf(pipelineFile: string): { sources: Record<string, string> } {
  return JSON.parse(readFileSync(join(dirname(pipelineFile), "tributary.config.json"), "utf8"));
}

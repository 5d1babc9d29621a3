/**
 * `tributary run FILE`: build the pipeline in FILE, bind its sources and sinks, run it on the
 * embedded runner (default) or the micro-batch runner (`--runner microbatch`), and print a summary.
 */
import { createSink, createSource, parseBinding, type Sink, type Source } from "@tributary/connectors";
import { createStateBackend, parseStateSpec } from "@tributary/operators";
import { runEmbedded } from "@tributary/runner-embedded";
import type { MicroBatchStateOption, Trigger } from "@tributary/runner-microbatch";
import { type BuiltPipeline, parseDuration } from "@tributary/sdk";
import { findConfig, type RunConfigFile } from "../config/run-config.ts";
import { UsageError } from "../errors.ts";
import { loadPipeline } from "../load-pipeline.ts";
import { startProgress } from "../progress.ts";
import { printMicroBatchSummary, printSummary } from "../summary.ts";

export interface RunFlags {
  runner?: string;
  source: string[];
  sink: string[];
  state?: string;
  checkpointDir?: string;
  checkpointInterval?: string;
  config?: string;
  batchSize?: string;
  trigger?: string;
  maxRowsPerBatch?: string;
  progress?: boolean;
}

export const RUNNERS = ["embedded", "microbatch"] as const;

export async function runCommand(file: string, flags: RunFlags): Promise<void> {
  const config = findConfig(file, flags.config);
  const runner = flags.runner ?? config.runner ?? "embedded";
  if (!(RUNNERS as readonly string[]).includes(runner)) {
    throw new UsageError(
      `--runner ${runner}: unknown runner; the runners available are: ${RUNNERS.join(", ")}`,
    );
  }
  if (runner === "embedded") {
    for (const [flag, given] of [
      ["--trigger", flags.trigger ?? config.trigger],
      ["--max-rows-per-batch", flags.maxRowsPerBatch ?? config.maxRowsPerBatch],
    ] as const) {
      if (given !== undefined)
        throw new UsageError(
          `${flag} applies to the micro-batch runner only; add --runner microbatch or remove ${flag}`,
        );
    }
  }
  const built = await loadPipeline(file);
  const sources = bindSources(built, config, flags.source);
  const sinks = bindSinks(built, config, flags.sink);
  if (runner === "microbatch") return runOnMicroBatch(built, config, flags, sources, sinks);

  const stateText = flags.state ?? config.state ?? "memory";
  const checkpointDir = flags.checkpointDir ?? config.checkpointDir;
  const state = createStateBackend(parseStateSpec(stateText), { checkpointDir });
  const durable = stateText !== "memory" || checkpointDir !== undefined;
  const intervalText = flags.checkpointInterval ?? config.checkpointInterval ?? (durable ? "10s" : undefined);
  const intervalMs =
    intervalText === undefined ? undefined : parseDuration(intervalText, "--checkpoint-interval");
  const batchSize =
    flags.batchSize === undefined ? config.batchSize : parsePositiveInt(flags.batchSize, "--batch-size");

  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const progress = startProgress(built.ir.name, flags.progress !== false);
  try {
    const result = await runEmbedded(built, {
      sources: await resolveAll(sources),
      sinks,
      state,
      checkpoints: intervalMs === undefined ? undefined : { intervalMs },
      batchSize,
      signal: abort.signal,
      onProgress: progress.update,
    });
    progress.stop();
    printSummary(built, result);
  } finally {
    progress.stop();
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await state.close();
  }
}

/** `--runner microbatch`: triggers, rows per batch, checkpoint directory and state store. */
async function runOnMicroBatch(
  built: BuiltPipeline,
  config: RunConfigFile,
  flags: RunFlags,
  sources: Record<string, Promise<Source> | Source>,
  sinks: Record<string, Sink>,
): Promise<void> {
  for (const [flag, given] of [
    ["--checkpoint-interval", flags.checkpointInterval ?? config.checkpointInterval],
    ["--batch-size", flags.batchSize ?? config.batchSize],
  ] as const) {
    if (given !== undefined) {
      throw new UsageError(
        `${flag} does not apply to --runner microbatch (it checkpoints after every batch); remove it, or use --max-rows-per-batch and --trigger`,
      );
    }
  }
  const trigger = parseTrigger(flags.trigger ?? config.trigger);
  const maxRowsPerBatch =
    flags.maxRowsPerBatch === undefined
      ? config.maxRowsPerBatch
      : parsePositiveInt(flags.maxRowsPerBatch, "--max-rows-per-batch");
  const checkpointDir = flags.checkpointDir ?? config.checkpointDir;
  const stateText = flags.state ?? config.state ?? "memory";
  let state: MicroBatchStateOption;
  if (stateText === "memory") state = "memory";
  else if (stateText.startsWith("level:") && stateText.length > 6) {
    if (checkpointDir === undefined) {
      throw new UsageError(
        `--state ${stateText}: the micro-batch runner keeps its offset and commit logs in a checkpoint directory; add --checkpoint-dir DIR`,
      );
    }
    state = { level: stateText.slice(6) };
  } else throw new UsageError(`--state ${stateText}: unknown state backend; use memory or level:DIR`);
  const { runMicroBatch } = await import("@tributary/runner-microbatch");

  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const result = await runMicroBatch(built, {
      sources: await resolveAll(sources),
      sinks,
      trigger,
      maxRowsPerBatch,
      checkpointDir,
      state,
      signal: abort.signal,
    });
    printMicroBatchSummary(built, result, trigger);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

const TRIGGER_HELP = "use once, available-now or processing-time:DURATION (e.g. processing-time:5s)";

/** `once`, `available-now` or `processing-time:DURATION` (`processing-time:0`: back to back). */
export function parseTrigger(text: string | undefined): Trigger | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === "once") return { kind: "once" };
  if (t === "available-now") return { kind: "availableNow" };
  if (t.startsWith("processing-time:")) {
    const duration = t.slice("processing-time:".length);
    let intervalMs: number;
    try {
      intervalMs = parseDuration(duration, "--trigger");
    } catch {
      throw new UsageError(
        `--trigger ${text}: ${JSON.stringify(duration)} is not a duration; ${TRIGGER_HELP}`,
      );
    }
    return { kind: "processingTime", intervalMs };
  }
  throw new UsageError(`--trigger ${text}: unknown trigger; ${TRIGGER_HELP}`);
}

function bindings(kind: "source" | "sink", fromConfig: Record<string, string> | undefined, flags: string[]) {
  const flag = kind === "source" ? "--source" : "--sink";
  const merged = new Map(Object.entries(fromConfig ?? {}));
  for (const text of flags) {
    const { name, uri } = parseBinding(text, flag);
    merged.set(name, uri);
  }
  return merged;
}

function bindSources(built: BuiltPipeline, config: RunConfigFile, flags: string[]) {
  const uris = bindings("source", config.sources, flags);
  const out: Record<string, Promise<Source> | Source> = {};
  for (const node of built.ir.nodes) {
    if (node.kind !== "source") continue;
    const uri = uris.get(node.params.name);
    if (uri === undefined) {
      throw new UsageError(
        `source "${node.params.name}" is not bound; pass --source ${node.params.name}=URI (e.g. file:data.jsonl or generator:NAME) or set it in ${"tributary.config.json"}`,
      );
    }
    out[node.params.name] = createSource(uri, { recordSchema: node.params.recordSchema });
    uris.delete(node.params.name);
  }
  rejectUnknown("source", uris, built);
  return out;
}

function bindSinks(built: BuiltPipeline, config: RunConfigFile, flags: string[]): Record<string, Sink> {
  const uris = bindings("sink", config.sinks, flags);
  const out: Record<string, Sink> = {};
  for (const node of built.ir.nodes) {
    if (node.kind !== "sink") continue;
    // An unbound sink prints to the console: the natural default for trying a pipeline out.
    const uri = uris.get(node.params.name) ?? "console:";
    out[node.params.name] = createSink(uri, { label: node.params.name });
    uris.delete(node.params.name);
  }
  rejectUnknown("sink", uris, built);
  return out;
}

function rejectUnknown(kind: "source" | "sink", leftover: Map<string, string>, built: BuiltPipeline): void {
  if (leftover.size === 0) return;
  const names = built.ir.nodes.flatMap((n) => (n.kind === kind ? [n.params.name] : []));
  const [name] = leftover.keys();
  throw new UsageError(
    `unknown ${kind} "${name}" in --${kind} or config; the pipeline's ${kind}s are: ${names.join(", ") || "(none)"}`,
  );
}

async function resolveAll(
  sources: Record<string, Promise<Source> | Source>,
): Promise<Record<string, Source>> {
  const entries = await Promise.all(Object.entries(sources).map(async ([k, v]) => [k, await v] as const));
  return Object.fromEntries(entries);
}

function parsePositiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new UsageError(`${flag} ${text}: not a positive whole number; pass e.g. ${flag} 1024`);
  return n;
}

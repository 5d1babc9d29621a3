/**
 * The run configuration: from a config file (validated with zod), overridden by command-line
 * flags. A config file next to the pipeline (`tributary.config.json`) is used when `--config` is
 * not given, so examples run with no arguments.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { UsageError } from "../errors.ts";

export const DEFAULT_CONFIG_NAME = "tributary.config.json";

const Uri = z
  .string()
  .regex(/^[a-z][a-z0-9+.-]*:/, 'a connector URI like "file:data/tx.jsonl" or "console:"');

export const RunConfigFile = z
  .object({
    $schema: z.string().optional(),
    runner: z.enum(["embedded", "microbatch"]).optional(),
    sources: z.record(z.string(), Uri).optional(),
    sinks: z.record(z.string(), Uri).optional(),
    state: z.string().optional(),
    checkpointDir: z.string().optional(),
    checkpointInterval: z.union([z.number().int().positive(), z.string()]).optional(),
    batchSize: z.number().int().positive().optional(),
    /** Micro-batch runner: `once`, `available-now` or `processing-time:DURATION`. */
    trigger: z.string().optional(),
    /** Micro-batch runner: upper bound of source rows per batch. */
    maxRowsPerBatch: z.number().int().positive().optional(),
  })
  .strict();
export type RunConfigFile = z.infer<typeof RunConfigFile>;

/** Reads and validates a config file; errors name the file, the field and the fix. */
export function readConfigFile(path: string): RunConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UsageError(
      `config file ${path}: ${e instanceof Error ? e.message : e}; it must be a JSON object`,
    );
  }
  const parsed = RunConfigFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".") || "(top level)";
    const fix =
      issue.code === "unrecognized_keys"
        ? `remove it; the known fields are ${Object.keys(RunConfigFile.shape).join(", ")}`
        : "correct the value";
    throw new UsageError(`config file ${path}: field ${field}: ${issue.message}; ${fix}`);
  }
  return relativeToFile(parsed.data, dirname(path));
}

/** Finds the config for a pipeline: `--config`, else `tributary.config.json` beside the pipeline. */
export function findConfig(pipelineFile: string, explicit: string | undefined): RunConfigFile {
  if (explicit) {
    if (!existsSync(explicit)) throw new UsageError(`--config ${explicit}: no such file`);
    return readConfigFile(resolve(explicit));
  }
  const beside = join(dirname(resolve(pipelineFile)), DEFAULT_CONFIG_NAME);
  return existsSync(beside) ? readConfigFile(beside) : {};
}

/** Paths in a config file are relative to the file, not to the working directory. */
function relativeToFile(config: RunConfigFile, dir: string): RunConfigFile {
  const fix = (uri: string) => rebaseFileUri(uri, dir);
  const mapValues = (r: Record<string, string> | undefined) =>
    r && Object.fromEntries(Object.entries(r).map(([k, v]) => [k, fix(v)]));
  return {
    ...config,
    sources: mapValues(config.sources),
    sinks: mapValues(config.sinks),
    state: config.state?.startsWith("level:") ? `level:${resolve(dir, config.state.slice(6))}` : config.state,
    checkpointDir: config.checkpointDir && resolve(dir, config.checkpointDir),
  };
}

function rebaseFileUri(uri: string, dir: string): string {
  if (!uri.startsWith("file:")) return uri;
  const [paths = "", query] = uri.slice(5).split("?", 2);
  const rebased = paths
    .split(",")
    .map((p) => (isAbsolute(p) ? p : resolve(dir, p)))
    .join(",");
  return `file:${rebased}${query === undefined ? "" : `?${query}`}`;
}

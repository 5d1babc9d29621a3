/** Creates sources and sinks from connector URIs. */
import { resolve } from "node:path";
import { ArrowFileSink } from "./arrow/arrow-sink.ts";
import { ConsoleSink } from "./console/console-sink.ts";
import { ConnectorError } from "./errors.ts";
import { FileSink } from "./file/file-sink.ts";
import { FileSource } from "./file/file-source.ts";
import { parseFormat, resolveFilePartitions } from "./file/paths.ts";
import { GeneratorSource } from "./generator/generator-source.ts";
import { GENERATORS } from "./generator/generators.ts";
import { MemorySink } from "./memory/memory-sink.ts";
import { MemorySource } from "./memory/memory-source.ts";
import { memorySources } from "./memory/store.ts";
import type { Sink, SinkOptions } from "./sink.ts";
import type { Source, SourceOptions } from "./source.ts";
import { checkParams, intParam, type ParsedUri, parseUri, positiveNumberParam } from "./uri.ts";

/** Schemes `createSource` accepts. */
export const SOURCE_SCHEMES = ["file", "generator", "memory"] as const;
/** Schemes `createSink` accepts. */
export const SINK_SCHEMES = ["file", "memory", "console"] as const;

/** 2024-01-01T00:00:00Z: default event time of the first generated event. */
const DEFAULT_START_TS = 1_704_067_200_000;

function unknownScheme(
  parsed: ParsedUri,
  field: string,
  valid: readonly string[],
  example: string,
): ConnectorError {
  return new ConnectorError(
    field,
    `unknown connector scheme ${JSON.stringify(parsed.scheme)} in ${JSON.stringify(parsed.uri)}`,
    `Use one of ${valid.map((s) => `${s}:`).join(", ")}, e.g. ${example}.`,
  );
}

/**
 * Creates the source a URI describes. Validates scheme, parameters and (for files) paths now,
 * so that a bad binding fails before the job starts.
 *
 * - `file:PATH[,PATH...][?format=jsonl|csv|arrow|arrows]` — JSON Lines, CSV or Arrow IPC
 *   (`.arrow`: file format, `.arrows`: stream format) files/directories, one partition per file.
 * - `generator:NAME?seed=1&count=N&rate=R&partitions=P&keys=K&startTs=T` — `fraud`, `clicks`, `words`, `numbers`.
 * - `memory:NAME` — registered with `registerMemorySource` / `registerScriptedSource`.
 *
 * @throws ConnectorError naming the binding (`options.label`), the parameter and the fix.
 * @example
 * ```ts
 * const source = createSource("generator:fraud?seed=7&count=100000&partitions=4", { recordSchema: {} });
 * const reader = await source.open(0, null);
 * const batch = await reader.read(1000);
 * ```
 */
export function createSource(uri: string, options: SourceOptions): Source {
  const field = options.label ?? `source ${JSON.stringify(uri)}`;
  const parsed = parseUri(uri, field);
  switch (parsed.scheme) {
    case "file": {
      checkParams(parsed, ["format"], field);
      const format = parseFormat(parsed.params.get("format"), field);
      return new FileSource(uri, resolveFilePartitions(parsed.body, format, field), options.recordSchema);
    }
    case "generator":
      return createGenerator(parsed, field);
    case "memory": {
      checkParams(parsed, [], field);
      const data = memorySources.get(parsed.body);
      if (data === undefined) {
        const known = [...memorySources.keys()].map((n) => JSON.stringify(n)).join(", ") || "none";
        throw new ConnectorError(
          field,
          `no memory source named ${JSON.stringify(parsed.body)} is registered (registered: ${known})`,
          "Call registerMemorySource(name, partitions) or registerScriptedSource(name, script) before creating it.",
        );
      }
      return new MemorySource(uri, data);
    }
    default:
      throw unknownScheme(parsed, field, SOURCE_SCHEMES, "file:data/tx.jsonl or generator:fraud?count=1000");
  }
}

function createGenerator(parsed: ParsedUri, field: string): GeneratorSource {
  const generator = GENERATORS.get(parsed.body);
  if (generator === undefined) {
    const names = [...GENERATORS.values()].map((g) => `${g.name} ${g.shape}`).join("; ");
    throw new ConnectorError(
      field,
      `unknown generator ${JSON.stringify(parsed.body)}`,
      `Use generator:NAME with one of: ${names}.`,
    );
  }
  checkParams(parsed, ["seed", "count", "rate", "partitions", "keys", "startTs"], field);
  const seed = intParam(parsed, "seed", field, { min: -(2 ** 31), max: 2 ** 32 - 1 }) ?? 1;
  return new GeneratorSource(parsed.uri, {
    generator,
    seed,
    count: intParam(parsed, "count", field, { min: 0 }),
    rate: positiveNumberParam(parsed, "rate", field),
    partitions: intParam(parsed, "partitions", field, { min: 1, max: 4096 }) ?? 1,
    keys: intParam(parsed, "keys", field, { min: 1, max: 2 ** 31 }) ?? generator.defaultKeys,
    startTs: intParam(parsed, "startTs", field, { min: -8.64e15, max: 8.64e15 }) ?? DEFAULT_START_TS,
  });
}

/**
 * Creates the sink a URI describes.
 *
 * - `file:DIR` — exactly-once JSON Lines part files (see `FileSink`).
 * - `file:DIR?format=arrow` — exactly-once Arrow IPC part files (see `ArrowFileSink`).
 * - `memory:NAME` — exactly-once in-memory sink, read with `collected(NAME)`.
 * - `console:` / `console:stdout` / `console:stderr` — readable lines, at-least-once.
 *
 * @throws ConnectorError naming the binding (`options.label`), the parameter and the fix.
 * @example
 * ```ts
 * const sink = createSink("console:", { label: "alerts" });
 * await sink.write([{ customerId: "c42", spend: 12034.5 }]); // alerts | {"customerId":"c42","spend":12034.5}
 * ```
 */
export function createSink(uri: string, options: SinkOptions = {}): Sink {
  const field = options.label === undefined ? `sink ${JSON.stringify(uri)}` : `sink ${options.label}`;
  const parsed = parseUri(uri, field);
  checkParams(parsed, parsed.scheme === "file" ? ["format"] : [], field);
  switch (parsed.scheme) {
    case "file": {
      if (parsed.body === "") {
        throw new ConnectorError(
          field,
          "the file: URI names no directory",
          "Write file:DIR, e.g. file:out/alerts.",
        );
      }
      const format = parsed.params.get("format") ?? "jsonl";
      if (format === "arrow") return new ArrowFileSink(resolve(parsed.body), parsed.body);
      if (format !== "jsonl") {
        throw new ConnectorError(
          `${field} parameter format`,
          `${JSON.stringify(format)} is not a format the file sink writes`,
          "Use format=jsonl (the default) or format=arrow (Arrow IPC files).",
        );
      }
      return new FileSink(resolve(parsed.body), parsed.body);
    }
    case "memory":
      if (parsed.body === "") {
        throw new ConnectorError(
          field,
          "the memory: URI names no sink",
          "Write memory:NAME, e.g. memory:alerts.",
        );
      }
      return new MemorySink(parsed.body);
    case "console":
      if (parsed.body === "" || parsed.body === "stdout")
        return new ConsoleSink(process.stdout, "stdout", options.label);
      if (parsed.body === "stderr") return new ConsoleSink(process.stderr, "stderr", options.label);
      throw new ConnectorError(
        field,
        `unknown console stream ${JSON.stringify(parsed.body)}`,
        "Use console: (stdout) or console:stderr.",
      );
    default:
      throw unknownScheme(parsed, field, SINK_SCHEMES, "file:out/alerts or console:");
  }
}

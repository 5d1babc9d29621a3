import { captureCallSite } from "../callsite.ts";
import { PipelineDefinitionError } from "../errors.ts";
import type { BuiltPipeline } from "../ir/built.ts";
import { IR_VERSION, type OnError, type PipelineIr } from "../ir/schema.ts";
import { validateIr } from "../ir/validate.ts";
import { BuildContext, type ResolvedOptions } from "./context.ts";
import { deadLetterSchema, jsonSchemaOf, makeValidator } from "./schemas.ts";
import { checkName, Stream } from "./streams.ts";
import type { DeadLetterRecord, PipelineOptions, SourceOptions } from "./types.ts";

/** What the define function of {@link pipeline} receives: creates the pipeline's entry points. */
export interface PipelineBuilder {
  /** The pipeline's name. */
  readonly name: string;
  /**
   * A named source, bound to a connector when the pipeline runs. Node id `source:<name>`.
   * With `schema`, records that do not satisfy it go to the dead-letter output.
   * @example `p.source("transactions", { schema: Transaction })`
   */
  source<T = unknown>(name: string, options?: SourceOptions<T>): Stream<T>;
  /** Every element any step dead-lettered (SEMANTICS.md §11), e.g. to `.sink("dlq")`. */
  deadLetters(): Stream<DeadLetterRecord>;
}

/** Options of {@link PipelineDefinition.build}. */
export interface BuildOptions {
  /** Module that defines the pipeline (absolute path or URL), recorded in the IR for workers. */
  readonly module?: string | null;
}

/** A pipeline definition: build it to get the IR and the functions it references. */
export interface PipelineDefinition {
  readonly name: string;
  readonly options: Readonly<Required<PipelineOptions>>;
  /**
   * Runs the define function afresh and returns the IR plus the function registry. Builds of
   * the same code give identical IR (node ids, function ids, call sites).
   */
  build(options?: BuildOptions): BuiltPipeline;
}

function resolveOptions(options: PipelineOptions): ResolvedOptions {
  const maxParallelism = options.maxParallelism ?? 128;
  if (!Number.isSafeInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > 32768) {
    throw new PipelineDefinitionError(
      `pipeline maxParallelism: ${String(maxParallelism)} is not an integer from 1 to 32768; the default is 128`,
      { field: "maxParallelism", hint: "use a whole number between 1 and 32768, e.g. 128" },
    );
  }
  const onError: OnError = options.onError ?? "fail";
  if (onError !== "fail" && onError !== "dead-letter") {
    throw new PipelineDefinitionError(
      `pipeline onError: ${JSON.stringify(onError)} is not allowed; use "fail" or "dead-letter"`,
      { field: "onError", hint: 'use "fail" or "dead-letter"' },
    );
  }
  return { maxParallelism, onError };
}

function makeBuilder(ctx: BuildContext): PipelineBuilder {
  const sourceNames = new Set<string>();
  return {
    name: ctx.pipelineName,
    source<T>(name: string, options: SourceOptions<T> = {}): Stream<T> {
      ctx.checkOpen("source");
      checkName(name, "source");
      if (sourceNames.has(name)) {
        throw new PipelineDefinitionError(
          `source "${name}" is defined twice; call p.source("${name}") once and reuse the stream it returns`,
          { field: "source name", hint: "keep the stream in a variable and use it in several places" },
        );
      }
      sourceNames.add(name);
      const id = ctx.allocateId("source", `source:${name}`, `source "${name}"`);
      const schema = options.schema;
      let recordSchema = {};
      let validator = null;
      if (schema !== undefined) {
        try {
          recordSchema = jsonSchemaOf(schema, "input");
        } catch (error) {
          throw new PipelineDefinitionError(
            `source "${name}" schema: cannot be turned into JSON Schema (${String(error)}); ` +
              "use a plain zod object schema",
            { field: "source schema", hint: "use z.object({...}) with JSON-compatible fields" },
          );
        }
        validator = ctx.register(id, "validator", makeValidator(schema), captureCallSite());
      }
      ctx.addNode({
        id,
        kind: "source",
        inputs: [],
        outputSchema: recordSchema,
        params: { name, recordSchema, validator },
      });
      return new Stream<T>({
        ctx,
        nodeId: id,
        schema: recordSchema,
        untimed: [`source "${name}"`],
        sourceName: name,
      });
    },
    deadLetters(): Stream<DeadLetterRecord> {
      ctx.checkOpen("deadLetters");
      if (ctx.deadLettersId === null) {
        const id = ctx.allocateId("deadLetters", undefined, "deadLetters");
        ctx.addNode({ id, kind: "deadLetters", inputs: [], outputSchema: deadLetterSchema, params: {} });
        ctx.deadLettersId = id;
      }
      return new Stream<DeadLetterRecord>({
        ctx,
        nodeId: ctx.deadLettersId,
        schema: deadLetterSchema,
        untimed: ["p.deadLetters()"],
        sourceName: null,
      });
    },
  };
}

/**
 * Defines a pipeline. `define` receives a {@link PipelineBuilder} and wires sources, steps and
 * sinks; it runs again on every `build()`, so it must be deterministic and synchronous.
 *
 * @example
 * ```ts
 * export default pipeline("fraud-alerts", (p) => {
 *   p.source("transactions", { schema: Transaction })
 *     .withTimestamps((t) => t.ts, { maxOutOfOrderness: "5s" })
 *     .keyBy((t) => t.customerId)
 *     .window(tumbling("5m"))
 *     .aggregate({ spend: sum((t) => t.amount), n: count() })
 *     .filter((w) => w.value.spend > 10_000)
 *     .sink("alerts");
 * });
 * ```
 */
export function pipeline(
  name: string,
  define: (p: PipelineBuilder) => void,
  options: PipelineOptions = {},
): PipelineDefinition {
  if (typeof name !== "string" || name.length === 0) {
    throw new PipelineDefinitionError(
      'pipeline name: must be a non-empty string, e.g. pipeline("fraud-alerts", …)',
      {
        field: "pipeline name",
        hint: "name the pipeline",
      },
    );
  }
  if (typeof define !== "function") {
    throw new PipelineDefinitionError(
      `pipeline "${name}": the second argument must be a function (p) => { … }`,
      {
        field: "define",
        hint: "pass a function that builds the pipeline from p",
      },
    );
  }
  const resolved = resolveOptions(options);
  return {
    name,
    options: resolved,
    build(buildOptions: BuildOptions = {}): BuiltPipeline {
      const ctx = new BuildContext(name, resolved);
      const returned: unknown = define(makeBuilder(ctx));
      ctx.seal();
      if (returned instanceof Promise) {
        throw new PipelineDefinitionError(
          `pipeline "${name}": the define function returned a promise; it must build the pipeline synchronously`,
          { field: "define", hint: "remove async/await from the define function" },
        );
      }
      if (!ctx.nodes.some((n) => n.kind === "sink")) {
        throw new PipelineDefinitionError(
          `pipeline "${name}" has no sink, so it would produce nothing; end a stream with .sink("name")`,
          { field: "sink", hint: 'add .sink("output") to the stream whose results you want' },
        );
      }
      const ir: PipelineIr = {
        irVersion: IR_VERSION,
        name,
        module: buildOptions.module ?? null,
        options: { maxParallelism: resolved.maxParallelism, onError: resolved.onError },
        nodes: ctx.nodes,
      };
      validateIr(ir);
      return { ir, fns: ctx.fns };
    },
  };
}

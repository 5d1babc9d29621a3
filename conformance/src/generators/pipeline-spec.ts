/**
 * A generated pipeline as plain data ({@link PipelineSpec}), and {@link buildPipeline}, which
 * turns it into IR + function registry directly (not through the SDK builder). Node ids follow
 * the SDK's scheme: `source:<name>`, `sink:<name>`, `<kind>-<n>`; FnRef ids `<nodeId>.<role>`.
 */
import type {
  BuiltPipeline,
  EarlyTrigger,
  FnRef,
  IrNode,
  OnError,
  PipelineIr,
  UserFn,
  WatermarkStrategy,
  WindowSpec,
} from "@tributary/sdk";
import { IR_VERSION } from "@tributary/sdk";
import {
  COMBINERS,
  type CombinerName,
  FILTER_FNS,
  type FilterFnName,
  FLATMAP_FNS,
  type FlatMapFnName,
  INPUT_FNS,
  type InputFnName,
  KEY_FNS,
  type KeyFnName,
  MAP_FNS,
  type MapFnName,
  TIMESTAMP_FNS,
  type TimestampFnName,
  VALIDATOR_FNS,
  type ValidatorFnName,
} from "./fn-library.ts";

/** A stateless step, by library function name. */
export type StatelessStep =
  | { op: "map"; fn: MapFnName; onError: OnError }
  | { op: "filter"; fn: FilterFnName; onError: OnError }
  | { op: "flatMap"; fn: FlatMapFnName; onError: OnError };

/** One source with its validator, timestamps and own stateless steps (before the union). */
export interface SourceSpec {
  name: string;
  validator: ValidatorFnName | null;
  timestamps: { fn: TimestampFnName; watermark: WatermarkStrategy; onError: OnError } | null;
  steps: StatelessStep[];
}

/** One aggregation, by library function name. */
export type AggregationDesc =
  | { kind: "count" }
  | { kind: "sum" | "min" | "max" | "mean" | "countDistinct"; input: InputFnName }
  | { kind: "collect" | "first" | "last"; input: InputFnName | null }
  | { kind: "topK"; k: number; input: InputFnName }
  | { kind: "combine"; combiner: CombinerName };

export type AggregateDesc =
  | { shape: "single"; aggregation: AggregationDesc }
  | { shape: "fields"; fields: Record<string, AggregationDesc> };

/** An optional keyBy followed by a windowAggregate. */
export interface WindowStageSpec {
  keyBy: { fn: KeyFnName; onError: OnError } | null;
  window: WindowSpec;
  allowedLatenessMs: number;
  early: EarlyTrigger | null;
  accumulation: "accumulating" | "discarding";
  aggregate: AggregateDesc;
  onError: OnError;
}

/**
 * A generated pipeline: sources (two are unioned) → steps → window stage → sink "windows";
 * optionally late data → sink "late", dead letters → sink "dead-letters", and a downstream
 * branch (window result adapter → steps → optional second window stage) → sink "downstream".
 */
export interface PipelineSpec {
  onError: OnError;
  sources: SourceSpec[];
  steps: StatelessStep[];
  window: WindowStageSpec;
  lateDataSink: boolean;
  deadLetterSink: boolean;
  downstream: { steps: StatelessStep[]; window: WindowStageSpec | null } | null;
}

class IrBuilder {
  readonly nodes: IrNode[] = [];
  readonly fns = new Map<string, UserFn>();
  private readonly counts = new Map<string, number>();

  nextId(kind: string): string {
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    return `${kind}-${n}`;
  }

  ref(nodeId: string, role: string, name: string, fn: UserFn): FnRef {
    const id = `${nodeId}.${role}`;
    this.fns.set(id, fn);
    return { id, source: `/* library: ${name} */`, callSite: null };
  }

  add(node: IrNode): string {
    this.nodes.push(node);
    return node.id;
  }

  step(input: string, step: StatelessStep): string {
    const id = this.nextId(step.op);
    const base = { id, inputs: [input], outputSchema: {} };
    switch (step.op) {
      case "map":
        return this.add({
          ...base,
          kind: "map",
          params: { fn: this.ref(id, "fn", step.fn, MAP_FNS[step.fn]), onError: step.onError },
        });
      case "filter":
        return this.add({
          ...base,
          kind: "filter",
          params: { fn: this.ref(id, "fn", step.fn, FILTER_FNS[step.fn]), onError: step.onError },
        });
      case "flatMap":
        return this.add({
          ...base,
          kind: "flatMap",
          params: { fn: this.ref(id, "fn", step.fn, FLATMAP_FNS[step.fn]), onError: step.onError },
        });
    }
  }

  aggregation(nodeId: string, role: string, desc: AggregationDesc) {
    const input = (name: InputFnName) => this.ref(nodeId, role, name, INPUT_FNS[name]);
    switch (desc.kind) {
      case "count":
        return { kind: desc.kind };
      case "collect":
      case "first":
      case "last":
        return { kind: desc.kind, input: desc.input === null ? null : input(desc.input) };
      case "topK":
        return { kind: desc.kind, k: desc.k, input: input(desc.input) };
      case "combine": {
        const c = COMBINERS[desc.combiner] as unknown as Record<
          "create" | "add" | "merge" | "extract",
          UserFn
        >;
        const part = (p: "create" | "add" | "merge" | "extract") =>
          this.ref(nodeId, `${role}.${p}`, desc.combiner, c[p]);
        return {
          kind: desc.kind,
          create: part("create"),
          add: part("add"),
          merge: part("merge"),
          extract: part("extract"),
        };
      }
      default:
        return { kind: desc.kind, input: input(desc.input) };
    }
  }

  windowStage(input: string, stage: WindowStageSpec): string {
    let upstream = input;
    if (stage.keyBy !== null) {
      const id = this.nextId("keyBy");
      upstream = this.add({
        id,
        inputs: [upstream],
        outputSchema: {},
        kind: "keyBy",
        params: {
          key: this.ref(id, "key", stage.keyBy.fn, KEY_FNS[stage.keyBy.fn]),
          onError: stage.keyBy.onError,
        },
      });
    }
    const id = this.nextId("windowAggregate");
    const aggregate =
      stage.aggregate.shape === "single"
        ? {
            shape: "single" as const,
            aggregation: this.aggregation(id, "input", stage.aggregate.aggregation),
          }
        : {
            shape: "fields" as const,
            fields: Object.fromEntries(
              Object.entries(stage.aggregate.fields).map(([f, d]) => [
                f,
                this.aggregation(id, `${f}.input`, d),
              ]),
            ),
          };
    return this.add({
      id,
      inputs: [upstream],
      outputSchema: {},
      kind: "windowAggregate",
      params: {
        window: stage.window,
        allowedLatenessMs: stage.allowedLatenessMs,
        early: stage.early,
        accumulation: stage.accumulation,
        aggregate: aggregate as Extract<IrNode, { kind: "windowAggregate" }>["params"]["aggregate"],
        onError: stage.onError,
      },
    });
  }

  sink(name: string, input: string): void {
    this.add({ id: `sink:${name}`, inputs: [input], outputSchema: {}, kind: "sink", params: { name } });
  }
}

/** Builds the IR and registry of a generated pipeline. */
export function buildPipeline(spec: PipelineSpec): BuiltPipeline {
  const b = new IrBuilder();
  const heads = spec.sources.map((source) => {
    const id = `source:${source.name}`;
    let head = b.add({
      id,
      inputs: [],
      outputSchema: {},
      kind: "source",
      params: {
        name: source.name,
        recordSchema:
          source.validator === null
            ? {}
            : { type: "object", required: ["v"], properties: { v: { type: "number" } } },
        validator:
          source.validator === null
            ? null
            : b.ref(id, "validator", source.validator, VALIDATOR_FNS[source.validator]),
      },
    });
    if (source.timestamps !== null) {
      const tid = b.nextId("timestamps");
      const t = source.timestamps;
      head = b.add({
        id: tid,
        inputs: [head],
        outputSchema: {},
        kind: "timestamps",
        params: {
          timestamp: b.ref(tid, "timestamp", t.fn, TIMESTAMP_FNS[t.fn]),
          watermark: t.watermark,
          onError: t.onError,
        },
      });
    }
    for (const step of source.steps) head = b.step(head, step);
    return head;
  });
  let head = heads[0]!;
  if (heads.length > 1)
    head = b.add({ id: b.nextId("union"), inputs: heads, outputSchema: {}, kind: "union", params: {} });
  for (const step of spec.steps) head = b.step(head, step);
  const window = b.windowStage(head, spec.window);
  b.sink("windows", window);
  if (spec.lateDataSink) {
    b.sink(
      "late",
      b.add({ id: b.nextId("lateData"), inputs: [window], outputSchema: {}, kind: "lateData", params: {} }),
    );
  }
  if (spec.downstream !== null) {
    let down = b.step(window, { op: "map", fn: "window result to record", onError: "fail" });
    for (const step of spec.downstream.steps) down = b.step(down, step);
    if (spec.downstream.window !== null) down = b.windowStage(down, spec.downstream.window);
    b.sink("downstream", down);
  }
  if (spec.deadLetterSink) {
    b.sink(
      "dead-letters",
      b.add({ id: "deadLetters-1", inputs: [], outputSchema: {}, kind: "deadLetters", params: {} }),
    );
  }
  const ir: PipelineIr = {
    irVersion: IR_VERSION,
    name: "generated",
    module: null,
    options: { maxParallelism: 128, onError: spec.onError },
    nodes: b.nodes,
  };
  return { ir, fns: b.fns };
}

/**
 * The physical plan of a micro-batch job: one node per IR node. Window and timestamps nodes run
 * this package's kernels; map/filter/flatMap/keyBy run row-wise over the batch through the shared
 * operator library (until the lambda translator vectorizes them); source, sink, union, lateData
 * and deadLetters move data.
 */
import { checkBindings, type Sink, type Source } from "@tributary/connectors";
import {
  createOperator,
  type DeadLetter,
  newCounters,
  type Operator,
  type OperatorCounters,
  type Output,
  type StreamRecord,
} from "@tributary/operators";
import type { BuiltPipeline, IrNode, UserFn } from "@tributary/sdk";
import { Chunk } from "./batch.ts";
import { filterChunk, keyByChunk, mapChunk, type NodePlan } from "./batch-lambdas.ts";
import { TimestampsKernel, type WatermarkMarker } from "./kernels/timestamps.ts";
import { WindowKernel } from "./kernels/window.ts";

export type Row = StreamRecord | WatermarkMarker | Chunk;

export interface MbNode {
  readonly node: IrNode;
  readonly inputs: readonly number[];
  readonly consumers: MbNode[];
  readonly lateConsumers: MbNode[];
  readonly op: Operator | null;
  readonly ts: TimestampsKernel | null;
  readonly win: WindowKernel | null;
  readonly counters: OperatorCounters;
  /** How the node runs on columnar chunks (null: it has no lambdas; chunks pass or are written). */
  readonly plan: NodePlan | null;
  queue: Row[];
  inputWatermark: number;
  watermark: number;
  readonly out: Output;
  sink: Sink | null;
  sinkName: string | null;
}

export interface SourceBinding {
  readonly node: MbNode;
  readonly name: string;
  readonly source: Source;
  readonly validate: UserFn | null;
}

export interface Graph {
  readonly nodes: MbNode[];
  readonly sources: SourceBinding[];
  readonly sinks: MbNode[];
  readonly deadLetterNodes: MbNode[];
  onDeadLetter: (l: DeadLetter) => void;
}

export function buildGraph(
  built: BuiltPipeline,
  bindings: { sources: Readonly<Record<string, Source>>; sinks: Readonly<Record<string, Sink>> },
  plans: ReadonlyMap<string, NodePlan> = new Map(),
): Graph {
  const { ir, fns } = built;
  const indexOf = new Map(ir.nodes.map((n, i) => [n.id, i] as const));
  const graph: Graph = { nodes: [], sources: [], sinks: [], deadLetterNodes: [], onDeadLetter: () => {} };
  const routeDeadLetter = (letter: DeadLetter) => {
    const record: StreamRecord = { value: letter, ts: 0, w: Number.NEGATIVE_INFINITY, id: letter.id };
    for (const n of graph.deadLetterNodes) n.queue.push(record);
    graph.onDeadLetter(letter);
  };
  // The library's stateless operators need a state backend only for keyed operators; none here.
  const noState = undefined as never;
  for (const node of ir.nodes) {
    const inputs = node.inputs.map((id) => indexOf.get(id)!);
    const plan = plans.get(node.id) ?? null;
    const ts = node.kind === "timestamps" ? new TimestampsKernel(node, fns) : null;
    const win =
      node.kind === "windowAggregate"
        ? new WindowKernel(node, fns, plan?.status === "vectorized" ? plan.inputs : undefined)
        : null;
    const op =
      node.kind === "map" || node.kind === "filter" || node.kind === "flatMap" || node.kind === "keyBy"
        ? createOperator(node, { fns, maxParallelism: ir.options.maxParallelism, state: noState })
        : null;
    const consumers: MbNode[] = [];
    const lateConsumers: MbNode[] = [];
    const mb: MbNode = {
      node,
      inputs,
      consumers,
      lateConsumers,
      op,
      ts,
      win,
      counters: op?.counters ?? ts?.counters ?? win?.counters ?? newCounters(),
      plan,
      queue: [],
      inputWatermark: Number.NEGATIVE_INFINITY,
      watermark: Number.NEGATIVE_INFINITY,
      sink: null,
      sinkName: null,
      out: {
        emit: (r) => {
          for (const c of consumers) c.queue.push(r);
        },
        late: (r) => {
          for (const c of lateConsumers) c.queue.push(r);
        },
        deadLetter: routeDeadLetter,
      },
    };
    graph.nodes.push(mb);
    for (const i of inputs) {
      const up = graph.nodes[i]!;
      (node.kind === "lateData" ? up.lateConsumers : up.consumers).push(mb);
    }
    if (node.kind === "deadLetters") graph.deadLetterNodes.push(mb);
  }
  const sourceNames = ir.nodes.flatMap((n) => (n.kind === "source" ? [n.params.name] : []));
  const sinkNames = ir.nodes.flatMap((n) => (n.kind === "sink" ? [n.params.name] : []));
  checkBindings("source", sourceNames, Object.keys(bindings.sources));
  checkBindings("sink", sinkNames, Object.keys(bindings.sinks));
  for (const mb of graph.nodes) {
    const node = mb.node;
    if (node.kind === "source") {
      const v = node.params.validator;
      const validate = v ? (fns.get(v.id) ?? null) : null;
      graph.sources.push({
        node: mb,
        name: node.params.name,
        source: bindings.sources[node.params.name]!,
        validate,
      });
    } else if (node.kind === "sink") {
      mb.sink = bindings.sinks[node.params.name]!;
      mb.sinkName = node.params.name;
      graph.sinks.push(mb);
    }
  }
  return graph;
}

/** One pass per round over the nodes in topological order until every queue is empty. */
export function pump(graph: Graph, pendingWrites: Promise<void>[]): void {
  const nodes = graph.nodes;
  let again = true;
  while (again) {
    for (const n of nodes) {
      if (n.node.kind === "source") continue;
      if (n.queue.length > 0) {
        const batch = n.queue;
        n.queue = [];
        processNode(n, batch, pendingWrites);
      }
      advance(graph, n);
    }
    again = nodes.some((n) => n.queue.length > 0);
  }
}

function processNode(n: MbNode, rows: Row[], pendingWrites: Promise<void>[]): void {
  let from = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (!(r instanceof Chunk)) continue;
    if (i > from) processRows(n, rows.slice(from, i), pendingWrites);
    from = i + 1;
    processChunk(n, r, pendingWrites);
  }
  if (from === 0) processRows(n, rows, pendingWrites);
  else if (from < rows.length) processRows(n, rows.slice(from), pendingWrites);
}

function emitChunk(n: MbNode, chunk: Chunk): void {
  if (chunk.length === 0) return;
  for (const c of n.consumers) c.queue.push(chunk);
}

/** A columnar chunk: vectorized where the node's plan allows, else row-wise over its records. */
function processChunk(n: MbNode, chunk: Chunk, pendingWrites: Promise<void>[]): void {
  const plan = n.plan;
  const vectorized = plan !== null && plan.status === "vectorized";
  if (n.ts) {
    const t = vectorized ? plan.fn!.eval(chunk) : null;
    if (t !== null) {
      emitChunk(n, n.ts.processChunk(chunk, t, n.out));
      return;
    }
  } else if (n.win) {
    if (chunk.ts !== null) {
      n.win.processChunk(chunk, n.out);
      return;
    }
  } else if (n.op) {
    let result: Chunk | null = null;
    if (vectorized) {
      const kind = n.node.kind;
      if (kind === "filter") result = filterChunk(plan.fn!, chunk, n.counters);
      else if (kind === "map") result = mapChunk(plan, chunk, n.counters);
      else if (kind === "keyBy")
        result = keyByChunk(plan.fn!, chunk, n.counters, (bad) => processRows(n, bad, pendingWrites));
    }
    if (result !== null) {
      emitChunk(n, result);
      return;
    }
  } else if (n.sink) {
    n.counters.in += chunk.length;
    n.counters.out += chunk.length;
    const p = n.sink.write(chunk.values());
    if (p) pendingWrites.push(p);
    return;
  } else if (n.node.kind !== "deadLetters") {
    n.counters.in += chunk.length;
    n.counters.out += chunk.length;
    emitChunk(n, chunk);
    return;
  }
  processRows(n, chunk.records(), pendingWrites);
}

function processRows(n: MbNode, rows: Row[], pendingWrites: Promise<void>[]): void {
  if (n.ts) {
    const records = n.ts.process(rows as (StreamRecord | WatermarkMarker)[], n.out);
    for (const c of n.consumers) for (const r of records) c.queue.push(r);
    return;
  }
  const records = rows as StreamRecord[];
  if (n.win) {
    n.win.process(records, n.out);
    return;
  }
  if (n.op) {
    const p = n.op.processBatch(records, n.out);
    if (p)
      throw new Error(`operator ${n.node.id} returned a promise; stateless operators must be synchronous`);
    return;
  }
  n.counters.in += records.length;
  n.counters.out += records.length;
  if (n.sink) {
    const values = new Array<unknown>(records.length);
    for (let i = 0; i < records.length; i++) values[i] = records[i]!.value;
    const p = n.sink.write(values);
    if (p) pendingWrites.push(p);
    return;
  }
  for (const c of n.consumers) for (const r of records) c.queue.push(r);
}

function advance(graph: Graph, n: MbNode): void {
  if (n.ts) {
    n.watermark = n.ts.currentWatermark();
    return;
  }
  let wm = Number.POSITIVE_INFINITY;
  for (const i of n.inputs) wm = Math.min(wm, graph.nodes[i]!.watermark);
  if (n.inputs.length === 0) wm = lowestSourceWatermark(graph);
  if (n.win) {
    n.win.finishBatch(wm, n.out);
    n.inputWatermark = Math.max(n.inputWatermark, wm);
    n.watermark = n.win.outputWatermark(n.inputWatermark);
    return;
  }
  if (wm <= n.inputWatermark) return;
  n.inputWatermark = wm;
  if (n.op) {
    const p = n.op.onWatermark(wm, n.out);
    if (p) throw new Error(`operator ${n.node.id} returned a promise on a watermark`);
    n.watermark = n.op.outputWatermark(wm);
  } else n.watermark = wm;
}

export function lowestSourceWatermark(graph: Graph): number {
  let wm = Number.POSITIVE_INFINITY;
  for (const s of graph.sources) {
    const tsNode = s.node.consumers.find((c) => c.ts !== null);
    wm = Math.min(wm, tsNode ? tsNode.ts!.currentWatermark() : s.node.watermark);
  }
  return wm;
}

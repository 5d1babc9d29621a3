/**
 * The physical job: one runtime node per IR node, wired by index, each with an input queue.
 * Operators come from the shared operator library; the runner itself handles only the nodes
 * that move data without computing on it (sources, sinks, union, late data, dead letters).
 */
import { BindingError, checkBindings, type Sink, type Source } from "@tributary/connectors";
import {
  createOperator,
  type DeadLetter,
  type InPlaceOperator,
  isInPlaceOperator,
  newCounters,
  type Operator,
  type OperatorCounters,
  type Output,
  type StateBackend,
  type StreamRecord,
  TimestampsOperator,
} from "@tributary/operators";
import type { BuiltPipeline, IrNode, UserFn } from "@tributary/sdk";

export interface RuntimeNode {
  readonly node: IrNode;
  readonly index: number;
  /** Indices of the nodes this one reads from. */
  readonly inputs: readonly number[];
  /** Nodes that receive this node's regular output. */
  readonly consumers: RuntimeNode[];
  /** lateData nodes that receive the elements this (window) node dropped as late. */
  readonly lateConsumers: RuntimeNode[];
  /** The operator, for nodes that compute (map, filter, keyBy, timestamps, windows…). */
  readonly op: Operator | null;
  readonly counters: OperatorCounters;
  /** Records waiting to be processed by this node. */
  queue: StreamRecord[];
  /** The operator watermark last given to `op` (minimum over inputs). */
  inputWatermark: number;
  /** The watermark this node forwards downstream. */
  watermark: number;
  /** Where `op` sends its output. */
  readonly out: Output;
  /** For sink nodes: the bound sink. */
  sink: Sink | null;
  /**
   * Operator chaining: set on the first node of a chain (see {@link chainOperators}), the nodes
   * whose operators rewrite this node's records in place, this one first. The records in this
   * node's queue are then owned by the chain; the other members never get a queue of their own.
   */
  chain: ChainLink[] | null;
}

/** One member of an operator chain. */
export interface ChainLink {
  readonly node: RuntimeNode;
  readonly op: InPlaceOperator;
}

export interface SourceBinding {
  readonly node: RuntimeNode;
  readonly name: string;
  readonly source: Source;
  /** The node assigning timestamps to this source's elements, if any. */
  readonly timestamps: TimestampsOperator | null;
  readonly validate: UserFn | null;
}

export interface SinkBinding {
  readonly node: RuntimeNode;
  readonly name: string;
  readonly sink: Sink;
}

export interface JobGraph {
  readonly nodes: readonly RuntimeNode[];
  readonly sources: readonly SourceBinding[];
  readonly sinks: readonly SinkBinding[];
  /** Nodes of kind deadLetters: every dead letter is queued to each of them. */
  readonly deadLetterNodes: readonly RuntimeNode[];
  /** Called for every dead letter, after it was counted and queued. */
  onDeadLetter: (letter: DeadLetter) => void;
  /** Count a dead letter on `from` and route it (for rejections the runner itself makes at sources). */
  readonly rejectAtSource: (from: RuntimeNode, letter: DeadLetter) => void;
}

export function buildJobGraph(
  built: BuiltPipeline,
  bindings: { sources: Readonly<Record<string, Source>>; sinks: Readonly<Record<string, Sink>> },
  state: StateBackend,
): JobGraph {
  const { ir, fns } = built;
  const indexOf = new Map(ir.nodes.map((n, i) => [n.id, i] as const));

  const nodes: RuntimeNode[] = [];
  const graph: JobGraph = {
    nodes,
    sources: [],
    sinks: [],
    deadLetterNodes: [],
    onDeadLetter: () => {},
    rejectAtSource: (from, letter) => {
      from.counters.deadLettered++;
      routeDeadLetter(graph, letter);
    },
  };

  for (const [index, node] of ir.nodes.entries()) {
    const inputs = node.inputs.map((id) => indexOf.get(id)!);
    const op = createOperator(node, { fns, maxParallelism: ir.options.maxParallelism, state });
    const consumers: RuntimeNode[] = [];
    const lateConsumers: RuntimeNode[] = [];
    const rn: RuntimeNode = {
      node,
      index,
      inputs,
      consumers,
      lateConsumers,
      op,
      counters: op ? op.counters : newCounters(),
      queue: [],
      inputWatermark: Number.NEGATIVE_INFINITY,
      watermark: Number.NEGATIVE_INFINITY,
      sink: null,
      chain: null,
      out: {
        emit: (record) => {
          for (const c of consumers) c.queue.push(record);
        },
        late: (record) => {
          for (const c of lateConsumers) c.queue.push(record);
        },
        // Operators count their own dead letters; the runner only routes them.
        deadLetter: (letter) => routeDeadLetter(graph, letter),
      },
    };
    nodes.push(rn);
    for (const i of inputs) {
      const upstream = nodes[i]!;
      (node.kind === "lateData" ? upstream.lateConsumers : upstream.consumers).push(rn);
    }
    if (node.kind === "deadLetters") (graph.deadLetterNodes as RuntimeNode[]).push(rn);
  }

  chainOperators(nodes);

  const sourceNames = ir.nodes.flatMap((n) => (n.kind === "source" ? [n.params.name] : []));
  const sinkNames = ir.nodes.flatMap((n) => (n.kind === "sink" ? [n.params.name] : []));
  checkBindings("source", sourceNames, Object.keys(bindings.sources));
  checkBindings("sink", sinkNames, Object.keys(bindings.sinks));

  for (const rn of nodes) {
    const node = rn.node;
    if (node.kind === "source") {
      const tsNode = rn.consumers.find((c) => c.op instanceof TimestampsOperator);
      const validator = node.params.validator;
      (graph.sources as SourceBinding[]).push({
        node: rn,
        name: node.params.name,
        source: bindings.sources[node.params.name]!,
        timestamps: (tsNode?.op as TimestampsOperator | undefined) ?? null,
        validate: validator ? requireFn(fns, validator.id) : null,
      });
    } else if (node.kind === "sink") {
      rn.sink = bindings.sinks[node.params.name]!;
      (graph.sinks as SinkBinding[]).push({ node: rn, name: node.params.name, sink: rn.sink });
    }
  }
  return graph;
}

/**
 * Operator chaining (as Flink does): a source with a single consumer hands it records that no one
 * else sees, so a run of stateless operators after it (timestamps, keyBy, map, filter), each the
 * only consumer of the one before and reading nothing else, can rewrite those records in place
 * instead of creating a new record per operator. The chain ends before the first node that is not
 * such an operator (a window, a sink, a fan-out, a union…), which receives the records as usual.
 * Counters, dead letters, watermarks and order are those of the unchained graph: stateless
 * operators do nothing on watermarks, and the runner still advances each member's watermark.
 */
function chainOperators(nodes: readonly RuntimeNode[]): void {
  for (const source of nodes) {
    if (source.node.kind !== "source" || source.consumers.length !== 1) continue;
    const chain: ChainLink[] = [];
    let next = source.consumers[0]!;
    for (;;) {
      const op = next.op;
      if (next.inputs.length !== 1 || !isInPlaceOperator(op)) break;
      chain.push({ node: next, op });
      if (next.consumers.length !== 1 || next.lateConsumers.length > 0) break;
      next = next.consumers[0]!;
    }
    if (chain.length > 0) chain[0]!.node.chain = chain;
  }
}

function routeDeadLetter(graph: JobGraph, letter: DeadLetter): void {
  if (graph.deadLetterNodes.length > 0) {
    const record: StreamRecord = { value: letter, ts: 0, w: Number.NEGATIVE_INFINITY, id: letter.id };
    for (const n of graph.deadLetterNodes) n.queue.push(record);
  }
  graph.onDeadLetter(letter);
}

function requireFn(fns: BuiltPipeline["fns"], id: string): UserFn {
  const fn = fns.get(id);
  if (!fn)
    throw new BindingError(
      `function ${id} is referenced by the IR but missing from the registry; rebuild the pipeline from its module`,
    );
  return fn;
}

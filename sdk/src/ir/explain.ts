/**
 * Human-readable views of an IR: one-node descriptions and Mermaid / Graphviz diagrams.
 */
import { formatDuration } from "../duration.ts";
import type { AggregationSpec, FnRef, IrNode, PipelineIr, WindowSpec } from "./schema.ts";

const SNIPPET_LENGTH = 40;

function snippet(ref: FnRef): string {
  const oneLine = ref.source.replace(/\s+/g, " ").trim();
  return oneLine.length <= SNIPPET_LENGTH ? oneLine : `${oneLine.slice(0, SNIPPET_LENGTH - 1)}…`;
}

function describeWindow(window: WindowSpec): string {
  const offset = (ms: number) => (ms === 0 ? "" : ` +${formatDuration(ms)}`);
  switch (window.kind) {
    case "tumbling":
      return `tumbling ${formatDuration(window.sizeMs)}${offset(window.offsetMs)}`;
    case "sliding":
      return `sliding ${formatDuration(window.sizeMs)} every ${formatDuration(window.slideMs)}${offset(window.offsetMs)}`;
    case "session":
      return `session gap ${formatDuration(window.gapMs)}`;
    case "global":
      return "global";
  }
}

function describeAggregation(spec: AggregationSpec): string {
  return spec.kind === "topK" ? `top${spec.k}` : spec.kind;
}

function describeParams(node: IrNode): string[] {
  switch (node.kind) {
    case "source":
      return [node.params.validator === null ? node.params.name : `${node.params.name}, validated`];
    case "timestamps": {
      const w = node.params.watermark;
      return [
        w.kind === "monotonous" ? "monotonous" : `out of order ≤ ${formatDuration(w.maxOutOfOrdernessMs)}`,
      ];
    }
    case "map":
    case "filter":
    case "flatMap":
      return [snippet(node.params.fn)];
    case "keyBy":
      return [snippet(node.params.key)];
    case "windowAggregate": {
      const p = node.params;
      const line = [describeWindow(p.window), `L=${formatDuration(p.allowedLatenessMs)}`];
      if (p.early !== null) {
        const parts = [];
        if (p.early.everyElements !== undefined) parts.push(`${p.early.everyElements} elements`);
        if (p.early.everyProcessingTimeMs !== undefined)
          parts.push(formatDuration(p.early.everyProcessingTimeMs));
        line.push(`early every ${parts.join(" / ")}`);
      }
      if (p.accumulation === "discarding") line.push("discarding");
      const agg =
        p.aggregate.shape === "single"
          ? describeAggregation(p.aggregate.aggregation)
          : Object.entries(p.aggregate.fields)
              .map(([field, spec]) => `${field}=${describeAggregation(spec)}`)
              .join(", ");
      return [line.join(", "), agg];
    }
    case "sink":
      return [node.params.name];
    default:
      return [];
  }
}

/**
 * A short multi-line description of a node: its id (with its kind when the id does not show
 * it), then its key parameters.
 *
 * @example
 * ```ts
 * describeNode(node) // "windowAggregate-4\ntumbling 5m, L=0\nspend=sum, n=count"
 * ```
 */
export function describeNode(node: IrNode): string {
  const head = node.id.startsWith(node.kind) ? node.id : `${node.id} (${node.kind})`;
  return [head, ...describeParams(node)].join("\n");
}

function mermaidLabel(text: string): string {
  return text.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;").replace(/\n/g, "<br/>");
}

/**
 * A Mermaid flowchart of the pipeline (paste into Markdown inside a `mermaid` code block).
 */
export function toMermaid(ir: PipelineIr): string {
  const index = new Map(ir.nodes.map((node, i) => [node.id, `n${i}`]));
  const lines = ["flowchart LR"];
  ir.nodes.forEach((node, i) => {
    lines.push(`  n${i}["${mermaidLabel(describeNode(node))}"]`);
  });
  for (const node of ir.nodes) {
    for (const input of node.inputs) lines.push(`  ${index.get(input) ?? input} --> ${index.get(node.id)}`);
  }
  return `${lines.join("\n")}\n`;
}

function dotString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** A Graphviz DOT digraph of the pipeline (`dot -Tsvg`). */
export function toDot(ir: PipelineIr): string {
  const lines = [`digraph ${dotString(ir.name)} {`, "  rankdir=LR;", "  node [shape=box];"];
  for (const node of ir.nodes)
    lines.push(`  ${dotString(node.id)} [label=${dotString(describeNode(node))}];`);
  for (const node of ir.nodes) {
    for (const input of node.inputs) lines.push(`  ${dotString(input)} -> ${dotString(node.id)};`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

import { readFileSync } from "node:fs";
import type { NodeVectorization } from "@tributary/codegen";
import { type BuiltPipeline, toDot, toMermaid } from "@tributary/sdk";
import { UsageError } from "../errors.ts";
import { loadPipeline } from "../load-pipeline.ts";

const FORMATS = ["json", "mermaid", "dot", "text"] as const;
type Format = (typeof FORMATS)[number];

export interface ExplainFlags {
  format?: string;
  runner?: string;
  vectorization?: boolean;
}

/**
 * `tributary explain FILE --format json|mermaid|dot`: print the pipeline's IR or its graph.
 * `--runner microbatch` (or `--vectorization`): how the micro-batch runner runs each node —
 * vectorized (its functions translate to column expressions) or row-wise, with the reason —
 * as text (default) or `--format json`.
 */
export async function explainCommand(file: string, flags: ExplainFlags): Promise<void> {
  if (flags.runner !== undefined && flags.runner !== "embedded" && flags.runner !== "microbatch") {
    throw new UsageError(`--runner ${flags.runner}: unknown runner; use embedded or microbatch`);
  }
  const vectorization = flags.vectorization === true || flags.runner === "microbatch";
  const format = (flags.format ?? (vectorization ? "text" : "json")) as Format;
  const valid: readonly Format[] = vectorization ? ["text", "json"] : ["json", "mermaid", "dot"];
  if (!valid.includes(format)) {
    throw new UsageError(
      `--format ${flags.format}: unknown format${vectorization ? " for the vectorization report" : ""}; use one of ${valid.join(", ")}`,
    );
  }
  const built = await loadPipeline(file);
  const { ir } = built;
  if (vectorization) {
    const nodes = await explainVectorization(built);
    const text = format === "json" ? JSON.stringify(nodes, null, 2) : formatNodes(ir.name, nodes);
    process.stdout.write(`${text}\n`);
    return;
  }
  const text =
    format === "json" ? JSON.stringify(ir, null, 2) : format === "mermaid" ? toMermaid(ir) : toDot(ir);
  process.stdout.write(`${text}\n`);
}

/** One entry per IR node, in order. */
export interface NodeExplanation {
  readonly nodeId: string;
  readonly kind: string;
  /** `n/a` for nodes without user functions that only move data (sources, sinks, unions, side outputs). */
  readonly status: "vectorized" | "row-wise" | "n/a";
  readonly reason?: string;
}

const MOVES_DATA = new Set(["source", "sink", "union", "lateData", "deadLetters"]);

/**
 * Per node, vectorized or row-wise with the reason: the micro-batch runner's own plan
 * (`explainMicroBatch`: what it will really do), and for nodes it does not describe codegen's
 * `describeVectorization` (whether the node's functions translate to column expressions).
 */
export async function explainVectorization(built: BuiltPipeline): Promise<NodeExplanation[]> {
  const { ir } = built;
  const { explainMicroBatch } = await import("@tributary/runner-microbatch");
  const planned = await explainMicroBatch(built);
  const { describeVectorization } = await import("@tributary/codegen");
  const described = new Map<string, NodeVectorization>(
    describeVectorization(ir, {
      readModule: (path) => {
        try {
          return readFileSync(path, "utf8");
        } catch {
          return undefined;
        }
      },
    }).map((n) => [n.nodeId, n]),
  );
  return ir.nodes.map((node): NodeExplanation => {
    const plan = planned[node.id];
    if (plan !== undefined) {
      const base = { nodeId: node.id, kind: node.kind };
      if (plan === "vectorized") return { ...base, status: "vectorized" };
      if (plan.startsWith("row-wise")) {
        const reason = plan.replace(/^row-wise:?\s*/, "");
        return reason === "" ? { ...base, status: "row-wise" } : { ...base, status: "row-wise", reason };
      }
      return { ...base, status: "n/a", reason: plan };
    }
    const d = described.get(node.id);
    if (d !== undefined)
      return d.reason === undefined
        ? { nodeId: node.id, kind: node.kind, status: d.status }
        : { nodeId: node.id, kind: node.kind, status: d.status, reason: d.reason };
    if (MOVES_DATA.has(node.kind))
      return { nodeId: node.id, kind: node.kind, status: "n/a", reason: "moves data, no user functions" };
    return { nodeId: node.id, kind: node.kind, status: "vectorized", reason: "no user functions" };
  });
}

function formatNodes(name: string, nodes: readonly NodeExplanation[]): string {
  const width = Math.max(...nodes.map((n) => `${n.nodeId} (${n.kind})`.length));
  const lines = [`${name} on the micro-batch runner:`];
  for (const n of nodes) {
    const label = `${n.nodeId} (${n.kind})`.padEnd(width);
    if (n.status === "n/a") lines.push(`  ${label}  - (${n.reason ?? "no user functions"})`);
    else lines.push(`  ${label}  ${n.status}${n.reason === undefined ? "" : `: ${n.reason}`}`);
  }
  const counts = { vectorized: 0, "row-wise": 0 };
  for (const n of nodes) if (n.status !== "n/a") counts[n.status]++;
  lines.push(`${counts.vectorized} vectorized, ${counts["row-wise"]} row-wise`);
  return lines.join("\n");
}

/**
 * Which nodes of a pipeline can run vectorized (their lambdas translate to expressions) and
 * which run row-wise, with the reason. Used by the micro-batch runner and `tributary explain`.
 */
import { collectFnRefs, type FnRef, type PipelineIr } from "@tributary/sdk";
import { z } from "zod";
import { moduleConstants } from "./constants.ts";
import { type Expr, ExprSchema } from "./expr.ts";
import { translateLambda } from "./translate.ts";

export const FnVectorization = z.object({
  fnId: z.string(),
  /** The function's place in the node, e.g. `fn`, `key`, `timestamp`, `spend.input`, `add`. */
  role: z.string(),
  status: z.enum(["vectorized", "row-wise"]),
  reason: z.string().optional(),
  /** The translated expression and its parameter names, when the lambda translates. */
  params: z.array(z.string()).optional(),
  expr: ExprSchema.optional(),
});
export type FnVectorization = z.infer<typeof FnVectorization>;

export const NodeVectorization = z.object({
  nodeId: z.string(),
  kind: z.string(),
  status: z.enum(["vectorized", "row-wise"]),
  /** For row-wise nodes: `<role>: <reason>` of the first function that is not vectorized. */
  reason: z.string().optional(),
  fns: z.array(FnVectorization),
});
export type NodeVectorization = z.infer<typeof NodeVectorization>;

export interface DescribeVectorizationOptions {
  /** Source text to translate instead of `FnRef.source`, by function id (e.g. original TS). */
  readonly sources?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /** Values of free variables, for every function (JSON values; must not change). */
  readonly constants?: Readonly<Record<string, unknown>>;
  /**
   * Reads a module's source text by path (a `CallSite.file`), to find its top-level constants
   * (see `moduleConstants`). Return undefined when unavailable.
   */
  readonly readModule?: (file: string) => string | undefined;
}

const COMBINE_PARTS = new Set(["create", "add", "merge", "extract"]);

function roleOf(path: readonly (string | number)[]): string {
  const afterParams = path.slice(path.indexOf("params") + 1).map(String);
  return afterParams.filter((s) => s !== "aggregate" && s !== "fields" && s !== "aggregation").join(".");
}

/**
 * For every node with lambdas (timestamps, map, filter, flatMap, keyBy, window aggregations),
 * whether it runs vectorized or row-wise and why. Source validators are not lambdas and are
 * skipped. Combine aggregations are row-wise (their functions fold an accumulator element by
 * element) but their translations are reported for code generators.
 */
export function describeVectorization(
  ir: PipelineIr,
  fnsSources: DescribeVectorizationOptions = {},
): NodeVectorization[] {
  const { sources, constants = {}, readModule } = fnsSources;
  const moduleCache = new Map<string, ReturnType<typeof moduleConstants> | null>();
  const moduleOf = (ref: FnRef) => {
    if (readModule === undefined || ref.callSite === null) return null;
    const file = ref.callSite.file;
    if (!moduleCache.has(file)) {
      const text = readModule(file);
      moduleCache.set(file, text === undefined ? null : moduleConstants(text));
    }
    return moduleCache.get(file) ?? null;
  };
  const sourceOf = (ref: FnRef) =>
    (sources instanceof Map
      ? sources.get(ref.id)
      : (sources as Record<string, string> | undefined)?.[ref.id]) ?? ref.source;

  const byNode = new Map<number, { role: string; ref: FnRef }[]>();
  for (const { path, ref } of collectFnRefs(ir)) {
    const role = roleOf(path);
    if (role === "validator") continue;
    const index = path[1] as number;
    byNode.set(index, [...(byNode.get(index) ?? []), { role, ref }]);
  }

  const result: NodeVectorization[] = [];
  ir.nodes.forEach((node, index) => {
    const refs = byNode.get(index);
    if (refs === undefined) return;
    const fns = refs.map(({ role, ref }): FnVectorization => {
      const module = moduleOf(ref);
      const translated = translateLambda(sourceOf(ref), {
        constants: { ...module?.constants, ...constants },
        freeVariableReasons: module?.reasons ?? {},
      });
      if (!translated.ok) return { fnId: ref.id, role, status: "row-wise", reason: translated.reason };
      const found = { params: [...translated.params], expr: translated.expr as Expr };
      if (COMBINE_PARTS.has(role.split(".").pop() ?? "")) {
        return {
          fnId: ref.id,
          role,
          status: "row-wise",
          reason: "combine functions fold an accumulator element by element",
          ...found,
        };
      }
      if (translated.params.length > 1) {
        return {
          fnId: ref.id,
          role,
          status: "row-wise",
          reason: `takes ${translated.params.length} parameters (column evaluation takes one)`,
          ...found,
        };
      }
      return { fnId: ref.id, role, status: "vectorized", ...found };
    });
    const firstRowWise = fns.find((f) => f.status === "row-wise");
    result.push({
      nodeId: node.id,
      kind: node.kind,
      status: firstRowWise === undefined ? "vectorized" : "row-wise",
      ...(firstRowWise === undefined ? {} : { reason: `${firstRowWise.role}: ${firstRowWise.reason}` }),
      fns,
    });
  });
  return result;
}

/** One line per node: `<id>: vectorized` or `<id>: row-wise: <role>: <reason>`. */
export function formatVectorization(entries: readonly NodeVectorization[]): string {
  return entries
    .map((e) => `${e.nodeId}: ${e.status === "vectorized" ? "vectorized" : `row-wise: ${e.reason ?? ""}`}`)
    .join("\n");
}

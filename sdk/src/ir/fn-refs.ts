import type { AggregationSpec, FnRef, IrNode, PipelineIr } from "./schema.ts";

/** A function reference found in an IR, with the path where it occurs. */
export interface LocatedFnRef {
  /** Path segments from the IR root, e.g. `["nodes", 3, "params", "fn"]`. */
  readonly path: readonly (string | number)[];
  readonly ref: FnRef;
}

function aggregationRefs(spec: AggregationSpec, base: readonly (string | number)[]): LocatedFnRef[] {
  switch (spec.kind) {
    case "count":
      return [];
    case "combine":
      return (["create", "add", "merge", "extract"] as const).map((part) => ({
        path: [...base, part],
        ref: spec[part],
      }));
    default:
      return spec.input === null ? [] : [{ path: [...base, "input"], ref: spec.input }];
  }
}

/** The function references of one node; `index` is the node's position in `ir.nodes`. */
export function nodeFnRefs(node: IrNode, index: number): LocatedFnRef[] {
  const base = ["nodes", index, "params"] as const;
  switch (node.kind) {
    case "source":
      return node.params.validator === null
        ? []
        : [{ path: [...base, "validator"], ref: node.params.validator }];
    case "timestamps":
      return [{ path: [...base, "timestamp"], ref: node.params.timestamp }];
    case "map":
    case "filter":
    case "flatMap":
      return [{ path: [...base, "fn"], ref: node.params.fn }];
    case "keyBy":
      return [{ path: [...base, "key"], ref: node.params.key }];
    case "windowAggregate": {
      const agg = node.params.aggregate;
      if (agg.shape === "single")
        return aggregationRefs(agg.aggregation, [...base, "aggregate", "aggregation"]);
      return Object.entries(agg.fields).flatMap(([field, spec]) =>
        aggregationRefs(spec, [...base, "aggregate", "fields", field]),
      );
    }
    default:
      return [];
  }
}

/**
 * Every {@link FnRef} in the IR, in node order. A runner checks that the function registry has
 * each `ref.id`.
 */
export function collectFnRefs(ir: PipelineIr): LocatedFnRef[] {
  return ir.nodes.flatMap((node, index) => nodeFnRefs(node, index));
}

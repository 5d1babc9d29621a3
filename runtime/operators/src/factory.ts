import type { FnRef, FnRegistry, IrNode } from "@tributary/sdk";
import { makeAggregator } from "./aggregations/make-aggregator.ts";
import { canonicalKey } from "./keys/canonical-key.ts";
import { keyGroupOf } from "./keys/key-groups.ts";
import type { Operator } from "./operator.ts";
import type { StateBackend } from "./state/backend.ts";
import { FilterOperator } from "./stateless/filter.ts";
import { FlatMapOperator } from "./stateless/flat-map.ts";
import { KeyByOperator } from "./stateless/key-by.ts";
import { MapOperator } from "./stateless/map.ts";
import { TimestampsOperator } from "./stateless/timestamps.ts";
import { WindowAggregateOperator } from "./windows/window-aggregate.ts";

/** What {@link createOperator} needs besides the node. */
export interface OperatorContext {
  /** The user functions of the same build as the IR. */
  readonly fns: FnRegistry;
  /** Number of key groups (SEMANTICS.md §7). */
  readonly maxParallelism: number;
  /** Where keyed operators keep their state. */
  readonly state: StateBackend;
  /** Processing-time clock for early firings (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Build the operator that runs an IR node. Returns null for the node kinds runners handle
 * themselves: `source`, `sink`, `union`, `lateData`, `deadLetters`.
 *
 * @throws Error naming the node and the function id when `ctx.fns` lacks a referenced function.
 * @example
 * ```ts
 * const ops = ir.nodes.map((node) => createOperator(node, { fns, maxParallelism: 128, state }));
 * ```
 */
export function createOperator(node: IrNode, ctx: OperatorContext): Operator | null {
  switch (node.kind) {
    case "source":
    case "sink":
    case "union":
    case "lateData":
    case "deadLetters":
      return null;
    case "map":
    case "filter":
    case "flatMap": {
      const { fn, onError } = node.params;
      const opts = { nodeId: node.id, fn: lookup(ctx.fns, fn, node.id), fnRef: fn, onError };
      if (node.kind === "map") return new MapOperator(opts);
      if (node.kind === "filter") return new FilterOperator(opts);
      return new FlatMapOperator(opts);
    }
    case "keyBy": {
      const { key, onError } = node.params;
      return new KeyByOperator({
        nodeId: node.id,
        fn: lookup(ctx.fns, key, node.id),
        fnRef: key,
        onError,
        encodeKey: canonicalKey,
      });
    }
    case "timestamps": {
      const { timestamp, watermark, onError } = node.params;
      return new TimestampsOperator({
        nodeId: node.id,
        fn: lookup(ctx.fns, timestamp, node.id),
        fnRef: timestamp,
        onError,
        watermark,
      });
    }
    case "windowAggregate": {
      const maxParallelism = ctx.maxParallelism;
      return new WindowAggregateOperator({
        node,
        aggregator: makeAggregator(node.params.aggregate, ctx.fns),
        state: ctx.state,
        keyGroup: (keyEnc) => keyGroupOf(keyEnc, maxParallelism),
        ...(ctx.now ? { now: ctx.now } : {}),
      });
    }
  }
}

function lookup(fns: FnRegistry, ref: FnRef, nodeId: string): (value: unknown) => unknown {
  const fn = fns.get(ref.id);
  if (fn === undefined) {
    const cs = ref.callSite;
    const where = cs ? ` (defined at ${cs.file}:${cs.line}:${cs.column})` : "";
    throw new Error(
      `node '${nodeId}': the function registry has no function '${ref.id}'${where}. ` +
        `The IR and the functions must come from the same build of the pipeline module; rebuild and rerun.`,
    );
  }
  return fn as (value: unknown) => unknown;
}

/**
 * The reference model: the final view of every sink, computed straight from SEMANTICS.md
 * §1–§7 and §11 with no operators, no watermark propagation and no panes. Every node is
 * evaluated once over all of its input elements, in topological order.
 *
 * Readings of the contract that the model fixes (see also the module comments it links):
 * - every input line is an element (an empty line is undecodable);
 * - the element watermark is the max timestamp of the earlier lines of the same partition that
 *   got a valid timestamp, minus D (−Infinity before the first); without a timestamps node,
 *   ts = 0 and w = −Infinity;
 * - a key set by keyBy travels through map/filter/flatMap and through windows: a window result keeps
 *   its key (so windows of windows roll up per key, as Beam's KV outputs do);
 * - a flatMap that throws while producing outputs emits none of them (the input is dead-lettered);
 *   an element for which it returns no outputs is counted as `filtered`;
 * - aggregation `input` functions run once per element before window assignment; if one throws,
 *   the element is handled by the windowAggregate's `onError` and enters no window;
 * - `droppedLate` counts elements dropped from at least one window, once each (an element dropped
 *   from two sliding windows counts once), and the lateData output holds each of them once;
 * - downstream of a windowAggregate, each final result is an element with ts = w = end − 1 and
 *   identity `[nodeId, canonicalKey, start, paneIndex]` with pane index 0 (the operators' pane
 *   identity; exact for L = 0 and no early firings, §12);
 * - dead letters produced by nodes downstream of the deadLetters node itself are not modelled.
 */
import type { BuiltPipeline, FnRegistry, IrNode, IrNodeOf, OnError } from "@tributary/sdk";
import { canonicalJson } from "../canonical/json.ts";
import { type FinalView, finalViewOf } from "../final-view.ts";
import type {
  DeadLetterReason,
  DeadLetterRecord,
  Identity,
  NodeCounters,
  PartitionedInput,
  WindowBounds,
  WindowResult,
} from "../runner.ts";
import { type AggregationMember, aggregateWindow, aggregationInputs } from "./aggregate.ts";
import { lookupFn } from "./user-fns.ts";
import { assignFixedWindows, mergeSessions } from "./windows.ts";

/** An element as the reference model sees it. */
interface Element {
  value: unknown;
  ts: number;
  w: number;
  id: Identity;
  key: unknown;
}

/** The reference's result of a pipeline that completes. */
export interface ReferenceCompleted {
  status: "completed";
  /** The final view of every sink. */
  view: FinalView;
  /** What each sink receives if every window emits exactly one on_time pane (index 0). */
  sinks: Record<string, unknown[]>;
  /** Counters per node id; see the module comment for `droppedLate`. */
  counters: Record<string, NodeCounters>;
  deadLetters: DeadLetterRecord[];
}

/** The reference's result when a user function with `onError: "fail"` throws: the job fails. */
export interface ReferenceFailed {
  status: "failed";
  nodeId: string;
  id: Identity;
  message: string;
}

export type ReferenceResult = ReferenceCompleted | ReferenceFailed;

class JobFailure extends Error {
  constructor(
    readonly nodeId: string,
    readonly id: Identity,
    message: string,
  ) {
    super(message);
  }
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

class Evaluation {
  readonly outputs = new Map<string, Element[]>();
  readonly dropped = new Map<string, Element[]>();
  readonly counters: Record<string, NodeCounters> = {};
  readonly deadLetters: DeadLetterRecord[] = [];
  readonly sinks: Record<string, unknown[]> = {};

  constructor(
    readonly fns: FnRegistry,
    readonly input: PartitionedInput,
  ) {}

  private count(nodeId: string): NodeCounters {
    let c = this.counters[nodeId];
    if (c === undefined)
      this.counters[nodeId] = c = { in: 0, out: 0, filtered: 0, droppedLate: 0, deadLettered: 0 };
    return c;
  }

  private deadLetter(
    nodeId: string,
    id: Identity,
    reason: DeadLetterReason,
    message: string,
    payload: unknown,
  ) {
    this.count(nodeId).deadLettered++;
    this.deadLetters.push({ id, nodeId, reason, message, payload });
  }

  /** Runs a user function; a throw fails the job or dead-letters the element (returns `failed`). */
  private guarded<T>(
    node: IrNode,
    onError: OnError,
    e: Element,
    call: () => T,
  ): { ok: true; value: T } | { ok: false } {
    try {
      return { ok: true, value: call() };
    } catch (err) {
      const message = `user function of ${node.id} threw on element ${canonicalJson(e.id)}: ${errorText(err)}`;
      if (onError === "fail") throw new JobFailure(node.id, e.id, message);
      this.deadLetter(node.id, e.id, "user-function-threw", message, e.value);
      return { ok: false };
    }
  }

  private inputsOf(node: IrNode): Element[] {
    return node.inputs.flatMap((id) => this.outputs.get(id) ?? []);
  }

  evaluate(node: IrNode, onErrorDefault: OnError): void {
    const c = this.count(node.id);
    const out: Element[] = [];
    const emit = (e: Element) => {
      out.push(e);
      c.out++;
    };
    const inputs = node.kind === "source" || node.kind === "deadLetters" ? [] : this.inputsOf(node);
    c.in += inputs.length;
    switch (node.kind) {
      case "source":
        this.source(node, onErrorDefault, emit);
        break;
      case "timestamps":
        this.timestamps(node, inputs, emit);
        break;
      case "map":
        for (const e of inputs) {
          const r = this.guarded(node, node.params.onError, e, () =>
            lookupFn(this.fns, node.params.fn)(e.value),
          );
          if (r.ok) emit({ ...e, value: r.value });
        }
        break;
      case "filter":
        for (const e of inputs) {
          const r = this.guarded(node, node.params.onError, e, () =>
            lookupFn(this.fns, node.params.fn)(e.value),
          );
          if (!r.ok) continue;
          if (r.value) emit(e);
          else c.filtered++;
        }
        break;
      case "flatMap":
        for (const e of inputs) {
          const r = this.guarded(node, node.params.onError, e, () => [
            ...(lookupFn(this.fns, node.params.fn)(e.value) as Iterable<unknown>),
          ]);
          if (!r.ok) continue;
          // An element with no outputs is accounted for as filtered (§11: nothing is lost silently).
          if (r.value.length === 0) c.filtered++;
          r.value.forEach((value, i) => {
            emit({ ...e, value, id: [...e.id, i] });
          });
        }
        break;
      case "keyBy":
        for (const e of inputs) {
          const r = this.guarded(node, node.params.onError, e, () =>
            lookupFn(this.fns, node.params.key)(e.value),
          );
          if (!r.ok) continue;
          if (r.value === undefined) {
            this.deadLetter(
              node.id,
              e.id,
              "undefined-key",
              `key function of ${node.id} returned undefined`,
              e.value,
            );
          } else emit({ ...e, key: r.value });
        }
        break;
      case "union":
        for (const e of inputs) emit(e);
        break;
      case "windowAggregate":
        this.windowAggregate(node, inputs, emit);
        break;
      case "lateData":
        c.in = 0;
        for (const e of this.dropped.get(node.inputs[0] ?? "") ?? []) {
          c.in++;
          emit(e);
        }
        break;
      case "deadLetters":
        for (const letter of this.deadLetters) {
          c.in++;
          emit({ value: letter, ts: 0, w: Number.NEGATIVE_INFINITY, id: letter.id, key: null });
        }
        break;
      case "sink": {
        const received = this.sinks[node.params.name] ?? [];
        this.sinks[node.params.name] = received;
        for (const e of inputs) {
          received.push(e.value);
          c.out++;
        }
        break;
      }
    }
    this.outputs.set(node.id, out);
  }

  private source(node: IrNodeOf<"source">, onError: OnError, emit: (e: Element) => void): void {
    const partitions = this.input[node.params.name] ?? [];
    const validator = node.params.validator;
    partitions.forEach((lines, partition) => {
      lines.forEach((line, index) => {
        const id: Identity = [node.params.name, partition, index + 1];
        this.count(node.id).in++;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (err) {
          this.deadLetter(node.id, id, "undecodable", `line is not JSON: ${errorText(err)}`, line);
          return;
        }
        const e: Element = { value, ts: 0, w: Number.NEGATIVE_INFINITY, id, key: null };
        if (validator !== null) {
          const r = this.guarded(node, onError, e, () => lookupFn(this.fns, validator)(value));
          if (!r.ok) return;
          const verdict = r.value as { success: boolean; data?: unknown; error?: unknown };
          if (!verdict.success) {
            this.deadLetter(
              node.id,
              id,
              "schema-violation",
              `record rejected: ${String(verdict.error)}`,
              value,
            );
            return;
          }
          e.value = verdict.data;
        }
        emit(e);
      });
    });
  }

  private timestamps(node: IrNodeOf<"timestamps">, inputs: Element[], emit: (e: Element) => void): void {
    const wm = node.params.watermark;
    const disorder = wm.kind === "monotonous" ? 0 : wm.maxOutOfOrdernessMs;
    const maxTs = new Map<string, number>();
    for (const e of inputs) {
      const partition = canonicalJson(e.id.slice(0, 2));
      const seen = maxTs.get(partition);
      const w = seen === undefined ? Number.NEGATIVE_INFINITY : seen - disorder;
      const r = this.guarded(node, node.params.onError, e, () =>
        lookupFn(this.fns, node.params.timestamp)(e.value),
      );
      if (!r.ok) continue;
      const ts = r.value;
      if (typeof ts !== "number" || !Number.isSafeInteger(ts)) {
        this.deadLetter(
          node.id,
          e.id,
          "bad-timestamp",
          `timestamp ${canonicalJson(ts)} is not a safe integer`,
          e.value,
        );
        continue;
      }
      maxTs.set(partition, seen === undefined ? ts : Math.max(seen, ts));
      emit({ ...e, ts, w });
    }
  }

  private windowAggregate(
    node: IrNodeOf<"windowAggregate">,
    inputs: Element[],
    emit: (e: Element) => void,
  ): void {
    const { window: spec, allowedLatenessMs: lateness, aggregate } = node.params;
    const c = this.count(node.id);
    const dropped: Element[] = [];
    const groups = new Map<string, { key: unknown; window: WindowBounds; members: AggregationMember[] }>();
    const sessionsPerKey = new Map<string, { key: unknown; members: AggregationMember[] }>();
    const key = (e: Element) => (e.key === undefined ? null : e.key);
    for (const e of inputs) {
      const r = this.guarded(node, node.params.onError, e, () =>
        aggregationInputs(aggregate, this.fns, e.value),
      );
      if (!r.ok) continue;
      const member: AggregationMember = { value: e.value, ts: e.ts, id: e.id, inputs: r.value };
      const ck = canonicalJson(key(e));
      if (spec.kind === "session") {
        if (e.ts + lateness < e.w) {
          c.droppedLate++;
          dropped.push(e);
          continue;
        }
        const s = sessionsPerKey.get(ck) ?? { key: key(e), members: [] };
        sessionsPerKey.set(ck, s);
        s.members.push(member);
        continue;
      }
      let droppedOnce = false;
      for (const window of assignFixedWindows(spec, e.ts)) {
        if (window.end + lateness <= e.w) {
          droppedOnce = true;
          continue;
        }
        const gk = `${ck}|${window.start}`;
        const g = groups.get(gk) ?? { key: key(e), window, members: [] };
        groups.set(gk, g);
        g.members.push(member);
      }
      if (droppedOnce) {
        c.droppedLate++;
        dropped.push(e);
      }
    }
    if (spec.kind === "session") {
      for (const [ck, s] of sessionsPerKey) {
        for (const session of mergeSessions(
          s.members.map((m) => m.ts),
          spec.gapMs,
        )) {
          groups.set(`${ck}|${session.window.start}`, {
            key: s.key,
            window: session.window,
            members: session.members.map((i) => s.members[i]!),
          });
        }
      }
    }
    this.dropped.set(node.id, dropped);
    const sorted = [...groups.values()]
      .map((g) => ({ g, ck: canonicalJson(g.key) }))
      .sort((a, b) => (a.ck < b.ck ? -1 : a.ck > b.ck ? 1 : a.g.window.start - b.g.window.start));
    for (const { g, ck } of sorted) {
      const result: WindowResult = {
        key: g.key,
        window: g.window,
        value: aggregateWindow(aggregate, g.members, this.fns),
        pane: { index: 0, timing: "on_time" },
      };
      const ts = g.window.end - 1;
      emit({ value: result, ts, w: ts, id: [node.id, ck, g.window.start, 0], key: g.key });
    }
  }
}

/** Nodes in topological order, with the deadLetters node and everything downstream of it last. */
function evaluationOrder(nodes: readonly IrNode[]): IrNode[] {
  const deferred = new Set<string>();
  for (const n of nodes) {
    if (n.kind === "deadLetters" || n.inputs.some((i) => deferred.has(i))) deferred.add(n.id);
  }
  return [...nodes.filter((n) => !deferred.has(n.id)), ...nodes.filter((n) => deferred.has(n.id))];
}

/**
 * Computes the reference result of `built` on `input`: the final view of every sink (or the job
 * failure a throwing user function with `onError: "fail"` causes).
 */
export function referenceRun(built: BuiltPipeline, input: PartitionedInput): ReferenceResult {
  const evaluation = new Evaluation(built.fns, input);
  try {
    for (const node of evaluationOrder(built.ir.nodes)) evaluation.evaluate(node, built.ir.options.onError);
  } catch (err) {
    if (err instanceof JobFailure)
      return { status: "failed", nodeId: err.nodeId, id: err.id, message: err.message };
    throw err;
  }
  return {
    status: "completed",
    view: finalViewOf(built, evaluation.sinks),
    sinks: evaluation.sinks,
    counters: evaluation.counters,
    deadLetters: evaluation.deadLetters,
  };
}

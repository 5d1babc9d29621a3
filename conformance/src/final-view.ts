/**
 * The final view (SEMANTICS.md §5): what the conformance suite compares between a runner and the
 * reference model. Pane metadata is dropped; what remains must be a deterministic function of
 * the input.
 *
 * - Sinks fed directly by a windowAggregate node ("windows" sinks): per key and window, the last
 *   pane (accumulating) or the merge of all panes (discarding). A window listed in a later pane's
 *   `pane.replaces` (same key) is left out; in discarding mode its merged panes fold into the
 *   replacing window.
 * - Discarding merge is supported for `count` and `sum` (pane values add; float sums are added
 *   exactly and rounded once, so equality holds only when the pane sums were themselves exact),
 *   `min` and `max`, and `fields` made of those. Other kinds with more than one pane per window
 *   raise {@link FinalViewError} (a single pane needs no merge and is always supported).
 * - Sinks fed by the deadLetters node: the multiset of `{ id, nodeId, reason }` (message text and
 *   payload are not compared).
 * - All other sinks (stateless outputs, late data): the multiset of values.
 */
import type { Aggregate, AggregationSpec, BuiltPipeline, IrNodeOf } from "@tributary/sdk";
import { canonicalJson, compareStrings } from "./canonical/json.ts";
import { exactSum } from "./reference/exact-arithmetic.ts";
import type { WindowBounds } from "./runner.ts";

/** One window's final result. */
export interface WindowEntry {
  key: unknown;
  window: WindowBounds;
  value: unknown;
}

/** The final view of one sink. Entries and values are kept sorted canonically. */
export type SinkFinalView =
  | { kind: "windows"; entries: WindowEntry[] }
  | { kind: "values"; values: unknown[] };

/** Per sink name, its final view. */
export type FinalView = Record<string, SinkFinalView>;

/** The runner's output cannot be turned into a final view (malformed pane, unmergeable panes). */
export class FinalViewError extends Error {
  override name = "FinalViewError";
}

/** How the final view of a sink is formed, derived from the IR node that feeds it. */
export type SinkRole =
  | { kind: "windows"; node: IrNodeOf<"windowAggregate"> }
  | { kind: "deadLetters" }
  | { kind: "values" };

/** The role of every sink of a pipeline, by sink name (a sink is classified by its first input). */
export function sinkRoles(built: BuiltPipeline): Record<string, SinkRole> {
  const byId = new Map(built.ir.nodes.map((n) => [n.id, n]));
  const roles: Record<string, SinkRole> = {};
  for (const node of built.ir.nodes) {
    if (node.kind !== "sink") continue;
    const feeder = byId.get(node.inputs[0] ?? "");
    if (feeder?.kind === "windowAggregate") roles[node.params.name] = { kind: "windows", node: feeder };
    else if (feeder?.kind === "deadLetters") roles[node.params.name] = { kind: "deadLetters" };
    else roles[node.params.name] = { kind: "values" };
  }
  return roles;
}

function mergeSpecValues(spec: AggregationSpec, a: unknown, b: unknown): unknown {
  if (typeof a !== "number" || typeof b !== "number") {
    throw new FinalViewError(
      `discarding panes of ${spec.kind}: expected numbers, got ${canonicalJson([a, b])}`,
    );
  }
  switch (spec.kind) {
    case "count":
    case "sum":
      return exactSum([a, b]);
    case "min":
      return Math.min(a, b);
    case "max":
      return Math.max(a, b);
    default:
      throw new FinalViewError(`cannot merge discarding panes of aggregation kind "${spec.kind}"`);
  }
}

/** Merges two discarding pane values of `aggregate` (see the module comment for what is supported). */
export function mergeDiscardingPanes(aggregate: Aggregate, a: unknown, b: unknown): unknown {
  if (aggregate.shape === "single") return mergeSpecValues(aggregate.aggregation, a, b);
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) {
    throw new FinalViewError(`discarding panes of fields: expected objects, got ${canonicalJson([a, b])}`);
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const merged: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(aggregate.fields))
    merged[name] = mergeSpecValues(spec, ra[name], rb[name]);
  return merged;
}

function isBounds(x: unknown): x is WindowBounds {
  if (typeof x !== "object" || x === null) return false;
  const w = x as Record<string, unknown>;
  return typeof w["start"] === "number" && typeof w["end"] === "number";
}

interface ParsedPane {
  key: unknown;
  window: WindowBounds;
  value: unknown;
  replaces: WindowBounds[];
}

function parsePane(sink: string, x: unknown): ParsedPane {
  const bad = (why: string) => new FinalViewError(`sink ${sink}: ${why}: ${canonicalJson(x)}`);
  if (typeof x !== "object" || x === null || Array.isArray(x)) throw bad("window result is not an object");
  const r = x as Record<string, unknown>;
  if (!("key" in r) || !("value" in r)) throw bad("window result without key or value");
  if (!isBounds(r["window"])) throw bad("window result without window bounds");
  const pane = r["pane"];
  if (typeof pane !== "object" || pane === null) throw bad("window result without pane");
  const replaces = (pane as Record<string, unknown>)["replaces"] ?? [];
  if (!Array.isArray(replaces) || !replaces.every(isBounds))
    throw bad("pane.replaces is not a list of windows");
  return {
    key: r["key"],
    window: { start: r["window"].start, end: r["window"].end },
    value: r["value"],
    replaces,
  };
}

const windowKey = (w: WindowBounds) => `${w.start},${w.end}`;

/** The final view of a "windows" sink from the panes it received, in order. */
export function windowSinkFinalView(
  sink: string,
  node: IrNodeOf<"windowAggregate">,
  received: unknown[],
): SinkFinalView {
  const discarding = node.params.accumulation === "discarding";
  const perKey = new Map<string, Map<string, WindowEntry>>();
  for (const raw of received) {
    const pane = parsePane(sink, raw);
    const ck = canonicalJson(pane.key);
    const windows = perKey.get(ck) ?? new Map<string, WindowEntry>();
    perKey.set(ck, windows);
    const wk = windowKey(pane.window);
    let value = pane.value;
    const previous = windows.get(wk);
    if (discarding && previous !== undefined)
      value = mergeDiscardingPanes(node.params.aggregate, previous.value, value);
    for (const replaced of pane.replaces) {
      const rk = windowKey(replaced);
      const old = windows.get(rk);
      if (rk === wk || old === undefined) continue;
      windows.delete(rk);
      if (discarding) value = mergeDiscardingPanes(node.params.aggregate, old.value, value);
    }
    windows.set(wk, { key: pane.key, window: pane.window, value });
  }
  const entries = [...perKey.values()].flatMap((m) => [...m.values()]);
  return { kind: "windows", entries: sortWindowEntries(entries) };
}

/** Sorts entries by canonical key, then window start, then end. */
export function sortWindowEntries(entries: WindowEntry[]): WindowEntry[] {
  const keyed = entries.map((e) => ({ e, ck: canonicalJson(e.key) }));
  keyed.sort(
    (a, b) =>
      compareStrings(a.ck, b.ck) || a.e.window.start - b.e.window.start || a.e.window.end - b.e.window.end,
  );
  return keyed.map((k) => k.e);
}

/** Sorts values by their canonical encoding (a canonical multiset). */
export function sortValues(values: unknown[]): unknown[] {
  return values
    .map((v) => ({ v, c: canonicalJson(v) }))
    .sort((a, b) => compareStrings(a.c, b.c))
    .map((x) => x.v);
}

function deadLetterIdentity(x: unknown): unknown {
  if (typeof x !== "object" || x === null) return x;
  const r = x as Record<string, unknown>;
  return { id: r["id"], nodeId: r["nodeId"], reason: r["reason"] };
}

/**
 * The final view of every sink of `built`, from what the sinks received (a runner's
 * `RunOutput.sinks`). Sinks that received nothing appear with an empty view.
 * @throws FinalViewError when a window sink received something that is not a window result.
 */
export function finalViewOf(built: BuiltPipeline, sinks: Record<string, unknown[]>): FinalView {
  const view: FinalView = {};
  for (const [name, role] of Object.entries(sinkRoles(built))) {
    const received = sinks[name] ?? [];
    if (role.kind === "windows") view[name] = windowSinkFinalView(name, role.node, received);
    else if (role.kind === "deadLetters")
      view[name] = { kind: "values", values: sortValues(received.map(deadLetterIdentity)) };
    else view[name] = { kind: "values", values: sortValues(received) };
  }
  for (const name of Object.keys(sinks)) {
    if (!(name in view)) view[name] = { kind: "values", values: sortValues(sinks[name] ?? []) };
  }
  return view;
}

/** Byte-comparable serialization of a final view. */
export function canonicalFinalView(view: FinalView): string {
  return canonicalJson(view);
}

/**
 * The conformance properties, each a named check of one runner on one generated sample, and
 * {@link runConformance}, which runs every property for every runner.
 */
import type { BuiltPipeline, IrNode, IrNodeOf } from "@tributary/sdk";
import fc from "fast-check";
import { canonicalJson } from "./canonical/json.ts";
import { canonicalFinalView, finalViewOf, sinkRoles } from "./final-view.ts";
import { diffFinalViews, formatFinalViewDiff } from "./final-view-diff.ts";
import { formatCounterexample } from "./generators/counterexample.ts";
import { renderInput } from "./generators/input-arb.ts";
import { buildPipeline } from "./generators/pipeline-spec.ts";
import { type Sample, sampleArb } from "./generators/sample-arb.ts";
import { type ReferenceCompleted, referenceRun } from "./reference/reference-run.ts";
import type { ExecutionPlan, NodeCounters, PartitionedInput, RunnerUnderTest, RunOutput } from "./runner.ts";

/** A property of a runner, checked on one sample; throws an Error describing the violation. */
export interface ConformanceProperty {
  name: string;
  description: string;
  check(runner: RunnerUnderTest, sample: Sample): Promise<void>;
}

class PropertyViolation extends Error {
  override name = "PropertyViolation";
}

async function runOrFailure(
  runner: RunnerUnderTest,
  built: BuiltPipeline,
  input: PartitionedInput,
  plan: ExecutionPlan,
) {
  try {
    return { ok: true as const, output: await runner.run(built, input, plan) };
  } catch (error) {
    return { ok: false as const, error };
  }
}

/**
 * Runs `runner` and compares its final view with the reference; throws with a readable diff.
 * When the reference says the job fails (a user function with `onError: "fail"` threw), the run
 * must reject.
 */
export async function assertFinalViewMatchesReference(
  runner: RunnerUnderTest,
  built: BuiltPipeline,
  input: PartitionedInput,
  plan: ExecutionPlan,
): Promise<void> {
  const reference = referenceRun(built, input);
  const result = await runOrFailure(runner, built, input, plan);
  if (reference.status === "failed") {
    if (result.ok) throw new PropertyViolation(`the job should have failed: ${reference.message}`);
    return;
  }
  if (!result.ok) throw new PropertyViolation(`the run failed unexpectedly: ${String(result.error)}`);
  const diff = diffFinalViews(reference.view, finalViewOf(built, result.output.sinks));
  if (!diff.equal) throw new PropertyViolation(formatFinalViewDiff(diff));
}

function prepared(sample: Sample) {
  const built = buildPipeline(sample.spec);
  const input = renderInput(sample.input);
  return { built, input, reference: referenceRun(built, input) };
}

/** Final view equals the reference model's. */
export const finalViewProperty: ConformanceProperty = {
  name: "final view = reference",
  description: "the final view of every sink equals the reference model's (SEMANTICS.md §5)",
  async check(runner, sample) {
    const { built, input } = prepared(sample);
    await assertFinalViewMatchesReference(runner, built, input, sample.plan);
  },
};

function countOf(node: IrNodeOf<"windowAggregate">, value: unknown): number | null {
  const agg = node.params.aggregate;
  if (agg.shape === "single")
    return agg.aggregation.kind === "count" && typeof value === "number" ? value : null;
  const field = Object.entries(agg.fields).find(([, spec]) => spec.kind === "count")?.[0];
  if (field === undefined || typeof value !== "object" || value === null) return null;
  const n = (value as Record<string, unknown>)[field];
  return typeof n === "number" ? n : null;
}

/**
 * Checks the panes one windows sink received; returns the violations. With
 * `emitsEarlyPanes: false` (the runner's declaration, {@link RunnerUnderTest.emitsEarlyPanes}) an
 * early trigger must not produce early panes, so the checks are those of a window without one.
 */
export function paneViolations(
  node: IrNodeOf<"windowAggregate">,
  received: unknown[],
  options: { emitsEarlyPanes?: boolean } = {},
): string[] {
  const problems: string[] = [];
  const panes = new Map<string, { index: number; timing: string; value: unknown }[]>();
  const replacedMaxIndex = new Map<string, number>();
  for (const raw of received) {
    const r = raw as {
      key: unknown;
      window: { start: number; end: number };
      value: unknown;
      pane?: Record<string, unknown>;
    };
    const pane = r.pane ?? {};
    const ck = canonicalJson(r.key);
    const where = `key ${ck} window [${r.window?.start}, ${r.window?.end})`;
    const list = panes.get(where) ?? [];
    panes.set(where, list);
    if (list.length === 0) {
      let maxReplaced = -1;
      for (const w of (pane["replaces"] as { start: number; end: number }[] | undefined) ?? []) {
        const rw = `key ${ck} window [${w.start}, ${w.end})`;
        if (rw !== where) maxReplaced = Math.max(maxReplaced, (panes.get(rw) ?? []).at(-1)?.index ?? -1);
      }
      replacedMaxIndex.set(where, maxReplaced);
    }
    list.push({ index: Number(pane["index"]), timing: String(pane["timing"]), value: r.value });
  }
  const L = node.params.allowedLatenessMs;
  const earlyTrigger = node.params.early !== null;
  const early = earlyTrigger && options.emitsEarlyPanes !== false;
  for (const [where, list] of panes) {
    const first = list[0]!.index;
    const continued = replacedMaxIndex.get(where)! + 1;
    if (first !== 0 && first !== continued) problems.push(`${where}: first pane index ${first}`);
    list.forEach((p, i) => {
      if (i > 0 && p.index !== list[i - 1]!.index + 1)
        problems.push(`${where}: pane index ${p.index} after ${list[i - 1]!.index}`);
    });
    const timings = list.map((p) => p.timing).join(" ");
    if (!/^(early )*(on_time )?(late )*$/.test(`${timings} `))
      problems.push(`${where}: pane timings ${timings}`);
    if (!early && list.some((p) => p.timing === "early"))
      problems.push(
        `${where}: early pane ${earlyTrigger ? "from a runner that declares it emits none" : "without early trigger"}`,
      );
    if (L === 0 && list.some((p) => p.timing === "late")) problems.push(`${where}: late pane with L = 0`);
    if (L === 0 && !early && list.length !== 1) problems.push(`${where}: ${list.length} panes with L = 0`);
    // Accumulating panes hold everything so far: the on-time pane may repeat the last early
    // pane (it is not empty: it holds every element); every other pane must have grown.
    let previous = 0;
    for (const p of list) {
      const n = countOf(node, p.value);
      if (n === null) continue;
      const empty =
        node.params.accumulation === "discarding"
          ? n < 1
          : n < 1 || n < previous || (n === previous && p.timing !== "on_time");
      if (empty) problems.push(`${where}: empty pane (count ${n})`);
      previous = n;
    }
  }
  return problems;
}

/** Pane invariants (SEMANTICS.md §4, §5). */
export const paneInvariantsProperty: ConformanceProperty = {
  name: "pane invariants",
  description:
    "per key/window: indices 0,1,2… without gaps (a window that replaces others may continue their numbering); " +
    "timings early* on_time? late*; no early panes without a trigger (none at all from a runner that declares " +
    "emitsEarlyPanes: false); L = 0 ⇒ no late pane, and one pane without early panes; no empty panes (checked where " +
    "a count shows it)",
  async check(runner, sample) {
    const { built, input, reference } = prepared(sample);
    if (reference.status === "failed") return;
    const result = await runOrFailure(runner, built, input, sample.plan);
    if (!result.ok) throw new PropertyViolation(`the run failed unexpectedly: ${String(result.error)}`);
    const problems: string[] = [];
    for (const [sink, role] of Object.entries(sinkRoles(built))) {
      if (role.kind !== "windows") continue;
      problems.push(
        ...paneViolations(role.node, result.output.sinks[sink] ?? [], {
          emitsEarlyPanes: runner.emitsEarlyPanes !== false,
        }).map((p) => `[${sink}] ${p}`),
      );
    }
    if (problems.length > 0) throw new PropertyViolation(problems.slice(0, 20).join("\n"));
  },
};

const STATELESS = new Set(["source", "timestamps", "map", "keyBy", "filter", "flatMap", "union"]);

/** Checks counters against the equations and the reference; returns the violations. */
export function accountingViolations(
  built: BuiltPipeline,
  input: PartitionedInput,
  reference: ReferenceCompleted,
  output: RunOutput,
): string[] {
  const problems: string[] = [];
  const get = (id: string): NodeCounters | undefined => output.counters[id];
  const nodes = built.ir.nodes;
  const expectEq = (what: string, actual: number, expected: number) => {
    if (actual !== expected) problems.push(`${what}: ${actual}, expected ${expected}`);
  };
  for (const node of nodes) {
    const c = get(node.id);
    const ref = reference.counters[node.id];
    if (node.kind === "sink" || node.kind === "lateData" || node.kind === "deadLetters") continue;
    if (c === undefined || ref === undefined) {
      problems.push(`${node.id}: no counters`);
      continue;
    }
    const id = node.id;
    // Equations that hold for any run.
    if (node.kind === "filter") expectEq(`${id} in`, c.in, c.out + c.filtered + c.deadLettered);
    else if (node.kind === "flatMap") {
      if (c.deadLettered + c.filtered > c.in)
        problems.push(`${id}: deadLettered ${c.deadLettered} + filtered ${c.filtered} > in ${c.in}`);
    } else if (STATELESS.has(node.kind))
      expectEq(`${id} in (= out + deadLettered)`, c.in, c.out + c.deadLettered);
    if (node.kind === "source") {
      const lines = (input[node.params.name] ?? []).reduce((n, p) => n + p.length, 0);
      expectEq(`${id} in (= input lines)`, c.in, lines);
    } else {
      const upstream = node.inputs.reduce((n, i) => n + (get(i)?.out ?? 0), 0);
      expectEq(`${id} in (= Σ out of inputs)`, c.in, upstream);
    }
    // Deterministic counters must match the reference.
    const exactOut = node.kind !== "windowAggregate" || deterministicPanes(node);
    const fields: (keyof NodeCounters)[] = ["in", "filtered", "droppedLate", "deadLettered"];
    if (exactOut) fields.push("out");
    for (const field of fields) {
      expectEq(`${id} ${field} (reference)`, c[field], ref[field]);
    }
  }
  const deadLetterSink = nodes.find(
    (n) => n.kind === "sink" && nodes.find((m) => m.id === n.inputs[0])?.kind === "deadLetters",
  );
  if (deadLetterSink?.kind === "sink") {
    const total = Object.values(output.counters).reduce((n, c) => n + c.deadLettered, 0);
    expectEq(
      "dead letters received (= Σ deadLettered)",
      (output.sinks[deadLetterSink.params.name] ?? []).length,
      total,
    );
  }
  return problems;
}

function deterministicPanes(node: IrNode): boolean {
  return node.kind === "windowAggregate" && node.params.allowedLatenessMs === 0 && node.params.early === null;
}

/** Accounting (SEMANTICS.md §11): nothing is lost silently. */
export const accountingProperty: ConformanceProperty = {
  name: "accounting",
  description:
    "source/timestamps/map/keyBy/union: in = out + deadLettered; filter: in = out + filtered + deadLettered; " +
    "flatMap: deadLettered + filtered <= in (an element with no outputs is filtered); source in = its input lines; other nodes: in = Σ out of inputs; " +
    "in/filtered/droppedLate/deadLettered (and out, except for windows with L > 0 or early firings) equal the " +
    "reference; dead letters received = Σ deadLettered",
  async check(runner, sample) {
    const { built, input, reference } = prepared(sample);
    if (reference.status === "failed") return;
    const result = await runOrFailure(runner, built, input, sample.plan);
    if (!result.ok) throw new PropertyViolation(`the run failed unexpectedly: ${String(result.error)}`);
    const problems = accountingViolations(built, input, reference, result.output);
    if (problems.length > 0) throw new PropertyViolation(problems.slice(0, 20).join("\n"));
  },
};

/** Determinism: the same plan twice gives byte-identical final views. */
export const determinismProperty: ConformanceProperty = {
  name: "determinism",
  description: "two runs with the same plan give byte-identical final views (or both fail)",
  async check(runner, sample) {
    const { built, input } = prepared(sample);
    const first = await runOrFailure(runner, built, input, sample.plan);
    const second = await runOrFailure(runner, built, input, sample.plan);
    if (first.ok !== second.ok) throw new PropertyViolation("one run failed and the other did not");
    if (!first.ok || !second.ok) return;
    const a = canonicalFinalView(finalViewOf(built, first.output.sinks));
    const b = canonicalFinalView(finalViewOf(built, second.output.sinks));
    if (a !== b) {
      const diff = diffFinalViews(
        finalViewOf(built, first.output.sinks),
        finalViewOf(built, second.output.sinks),
      );
      throw new PropertyViolation(
        `final views differ between two identical runs\n${formatFinalViewDiff(diff)}`,
      );
    }
  },
};

/** Crash points used by the crash/restore property when the sample's plan has none. */
const DEFAULT_CRASH_POINTS = [1, 3];

/**
 * Crash and restore (SEMANTICS.md §10): the plan run with crashes after checkpoints (the
 * sample's crash points, or {@link DEFAULT_CRASH_POINTS}) gives a byte-identical final view to the
 * same plan without crashes, and the same deterministic counters.
 */
export const crashRestoreProperty: ConformanceProperty = {
  name: "crash/restore",
  description:
    "the same plan with and without crashes after checkpoints gives byte-identical final views (or both fail)",
  async check(runner, sample) {
    const { built, input } = prepared(sample);
    const crashAfterCheckpoints = sample.plan.crashAfterCheckpoints?.length
      ? sample.plan.crashAfterCheckpoints
      : DEFAULT_CRASH_POINTS;
    const { crashAfterCheckpoints: _, ...cleanPlan } = sample.plan;
    const clean = await runOrFailure(runner, built, input, cleanPlan);
    const crashed = await runOrFailure(runner, built, input, { ...cleanPlan, crashAfterCheckpoints });
    if (clean.ok !== crashed.ok)
      throw new PropertyViolation(
        clean.ok
          ? `the run with crashes failed: ${String((crashed as { error: unknown }).error)}`
          : `only the run without crashes failed: ${String((clean as { error: unknown }).error)}`,
      );
    if (!clean.ok || !crashed.ok) return;
    const a = finalViewOf(built, clean.output.sinks);
    const b = finalViewOf(built, crashed.output.sinks);
    if (canonicalFinalView(a) !== canonicalFinalView(b)) {
      throw new PropertyViolation(
        `final views differ after crashes at checkpoints ${crashAfterCheckpoints.join(", ")} ` +
          `(expected = without crashes)\n${formatFinalViewDiff(diffFinalViews(a, b))}`,
      );
    }
  },
};

/** Every property, in the order of the table. */
export const ALL_PROPERTIES: readonly ConformanceProperty[] = [
  finalViewProperty,
  paneInvariantsProperty,
  accountingProperty,
  crashRestoreProperty,
  determinismProperty,
];

/** One cell of the conformance table. */
export interface ConformanceRow {
  runner: string;
  property: string;
  passed: boolean;
  seed: number;
  runs: number;
  timeMs: number;
  /** The error and a ready-to-paste counterexample test, when failed. */
  failure?: string;
}

/** Runs every property for every runner, `runs` samples each, from `seed`. */
export async function runConformance(options: {
  runners: readonly RunnerUnderTest[];
  runs: number;
  seed: number;
  properties?: readonly ConformanceProperty[];
}): Promise<ConformanceRow[]> {
  const rows: ConformanceRow[] = [];
  for (const runner of options.runners) {
    for (const property of options.properties ?? ALL_PROPERTIES) {
      const started = performance.now();
      const details = await fc.check(
        fc.asyncProperty(sampleArb, (sample) => property.check(runner, sample)),
        { numRuns: options.runs, seed: options.seed },
      );
      const row: ConformanceRow = {
        runner: runner.name,
        property: property.name,
        passed: !details.failed,
        seed: options.seed,
        runs: details.numRuns,
        timeMs: Math.round(performance.now() - started),
      };
      const sample = details.counterexample?.[0];
      if (details.failed) {
        const error =
          details.errorInstance instanceof Error
            ? details.errorInstance.message
            : String(details.errorInstance);
        row.failure =
          sample === undefined
            ? error
            : `${error}\n\n${formatCounterexample(sample.spec, sample.input, sample.plan, undefined, runner.expression)}`;
      }
      rows.push(row);
    }
  }
  return rows;
}

/** Prints the table runner × property → passed/failed, seed, runs, time; failures follow. */
export function formatConformanceTable(rows: readonly ConformanceRow[]): string {
  const header = ["runner", "property", "result", "seed", "runs", "time"];
  const cells = rows.map((r) => [
    r.runner,
    r.property,
    r.passed ? "passed" : "FAILED",
    String(r.seed),
    String(r.runs),
    `${r.timeMs} ms`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i]!)).join(" | ");
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("-+-"), ...cells.map(line)];
  for (const r of rows) if (r.failure !== undefined) out.push("", `${r.runner} / ${r.property}:`, r.failure);
  return out.join("\n");
}

/**
 * Conformance of a user's own pipeline (what `tributary conformance --pipeline FILE` runs):
 *
 * - {@link readSourcesAsInput}: the sample input, read from the bound sources as raw lines per
 *   partition (decoded records are written back as JSON; undecodable ones keep their text);
 * - {@link checkUserPipeline}: every runner on that input and on fast-check perturbations of its
 *   partitioning and order (and of the execution plan), compared with the reference model on the
 *   same input — a difference is reported as a readable diff of final views;
 * - {@link checkCombineLaws}: user `combine` aggregations are checked for the laws determinism
 *   needs (SEMANTICS.md §6) on accumulators built from the elements that reach the window.
 */
import type { Source } from "@tributary/connectors";
import type { AggregationSpec, BuiltPipeline, IrNode } from "@tributary/sdk";
import fc from "fast-check";
import { canonicalJson } from "./canonical/json.ts";
import { executionPlanArb } from "./generators/plan-arb.ts";
import type { ConformanceRow } from "./properties.ts";
import { assertFinalViewMatchesReference } from "./properties.ts";
import { referenceRun } from "./reference/reference-run.ts";
import type { ExecutionPlan, PartitionedInput, RunnerUnderTest } from "./runner.ts";

/** Reads every partition of every bound source to the end, as raw JSON lines. */
export async function readSourcesAsInput(
  sources: Readonly<Record<string, Source>>,
): Promise<PartitionedInput> {
  const input: PartitionedInput = {};
  for (const [name, source] of Object.entries(sources)) {
    const partitions: string[][] = [];
    const count = await source.partitions();
    for (let p = 0; p < count; p++) {
      const reader = await source.open(p, null);
      const lines: string[] = [];
      try {
        for (let items = await reader.read(4096); items !== null; items = await reader.read(4096)) {
          if (items.length === 0) throw new Error(`source ${name} is unbounded; pass a bounded sample`);
          for (const item of items) {
            if (item.kind === "element") lines.push(JSON.stringify(item.value));
            else if (item.kind === "error") lines.push(typeof item.payload === "string" ? item.payload : "");
          }
        }
      } finally {
        await reader.close();
      }
      partitions.push(lines);
    }
    input[name] = partitions;
  }
  return input;
}

/** How one source's lines are perturbed: shuffled within partitions and/or spread over new ones. */
export interface Perturbation {
  /** Seed of a shuffle of each partition's lines; null keeps their order. */
  shuffleSeed: number | null;
  /** Spread the lines (in their order) over this many partitions by a seeded choice; null keeps them. */
  repartition: { partitions: number; seed: number } | null;
}

const perturbationArb: fc.Arbitrary<Perturbation> = fc.record({
  shuffleSeed: fc.option(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { freq: 2 }),
  repartition: fc.option(
    fc.record({ partitions: fc.integer({ min: 1, max: 8 }), seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }) }),
    { freq: 2 },
  ),
});

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Applies a perturbation to one source's partitions. */
export function perturb(partitions: readonly (readonly string[])[], p: Perturbation): string[][] {
  let out = partitions.map((lines) => [...lines]);
  if (p.shuffleSeed !== null) {
    const random = xorshift(p.shuffleSeed);
    for (const lines of out) {
      for (let i = lines.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      }
    }
  }
  if (p.repartition !== null) {
    const random = xorshift(p.repartition.seed);
    const spread: string[][] = Array.from({ length: p.repartition.partitions }, () => []);
    for (const line of out.flat()) spread[Math.floor(random() * spread.length)]!.push(line);
    out = spread;
  }
  return out;
}

function describePerturbation(perturbations: Record<string, Perturbation>): string {
  const parts = Object.entries(perturbations).flatMap(([name, p]) => {
    const what: string[] = [];
    if (p.shuffleSeed !== null) what.push(`lines shuffled within partitions (seed ${p.shuffleSeed})`);
    if (p.repartition !== null)
      what.push(`lines spread over ${p.repartition.partitions} partitions (seed ${p.repartition.seed})`);
    return what.length === 0 ? [] : [`${name}: ${what.join(", ")}`];
  });
  return parts.length === 0 ? "your input as given" : parts.join("; ");
}

function summarizeInput(input: PartitionedInput, maxLines = 12): string {
  const out: string[] = [];
  for (const [name, partitions] of Object.entries(input)) {
    partitions.forEach((lines, p) => {
      out.push(`  ${name} partition ${p} (${lines.length} lines)`);
      for (const line of lines.slice(0, maxLines)) out.push(`    ${line}`);
      if (lines.length > maxLines) out.push(`    … ${lines.length - maxLines} more`);
    });
  }
  return out.join("\n");
}

/**
 * Runs every runner on `input` and on `runs - 1` perturbations of it (with generated execution
 * plans), each compared with the reference model on the same input. One row per runner.
 */
export async function checkUserPipeline(
  built: BuiltPipeline,
  input: PartitionedInput,
  options: { runners: readonly RunnerUnderTest[]; runs: number; seed: number },
): Promise<ConformanceRow[]> {
  const names = Object.keys(input);
  const perturbationsArb = fc.record(Object.fromEntries(names.map((n) => [n, perturbationArb])));
  const identity: Perturbation = { shuffleSeed: null, repartition: null };
  const basePlan: ExecutionPlan = { parallelism: 1, batchSize: 1024, interleavingSeed: 1 };
  const rows: ConformanceRow[] = [];
  for (const runner of options.runners) {
    const started = performance.now();
    const property = fc.asyncProperty(perturbationsArb, executionPlanArb, async (perturbations, plan) => {
      const perturbed: PartitionedInput = {};
      for (const name of names) perturbed[name] = perturb(input[name]!, perturbations[name]!);
      await assertFinalViewMatchesReference(runner, built, perturbed, plan);
    });
    const details = await fc.check(property, {
      numRuns: options.runs,
      seed: options.seed,
      examples: [[Object.fromEntries(names.map((n) => [n, identity])), basePlan]],
    });
    const row: ConformanceRow = {
      runner: runner.name,
      property: "final view = reference (your input, perturbed)",
      passed: !details.failed,
      seed: options.seed,
      runs: details.numRuns,
      timeMs: Math.round(performance.now() - started),
    };
    if (details.failed) {
      const error =
        details.errorInstance instanceof Error
          ? details.errorInstance.message
          : String(details.errorInstance);
      const [perturbations, plan] = (details.counterexample ?? []) as [
        Record<string, Perturbation>?,
        ExecutionPlan?,
      ];
      const perturbed: PartitionedInput = {};
      if (perturbations)
        for (const name of names) perturbed[name] = perturb(input[name]!, perturbations[name]!);
      row.failure = [
        `input: ${perturbations ? describePerturbation(perturbations) : "?"}`,
        `plan: ${JSON.stringify(plan)}`,
        "expected = reference model, actual = runner:",
        error,
        "the input that shows it:",
        summarizeInput(perturbations ? perturbed : input),
      ].join("\n");
    }
    rows.push(row);
  }
  return rows;
}

/** One user `combine` aggregation of a pipeline. */
interface CombineSite {
  nodeId: string;
  /** Field name for `fields` aggregates, null for a single aggregation. */
  field: string | null;
  spec: Extract<AggregationSpec, { kind: "combine" }>;
}

function combineSites(nodes: readonly IrNode[]): CombineSite[] {
  const sites: CombineSite[] = [];
  for (const node of nodes) {
    if (node.kind !== "windowAggregate") continue;
    const agg = node.params.aggregate;
    const specs: [string | null, AggregationSpec][] =
      agg.shape === "single" ? [[null, agg.aggregation]] : Object.entries(agg.fields);
    for (const [field, spec] of specs)
      if (spec.kind === "combine") sites.push({ nodeId: node.id, field, spec });
  }
  return sites;
}

/** The values that reach each window node's input, computed by the reference model with probe sinks. */
function windowInputs(
  built: BuiltPipeline,
  input: PartitionedInput,
  nodeIds: string[],
): Map<string, unknown[]> {
  const probes = nodeIds.map((id, i) => {
    const node = built.ir.nodes.find((n) => n.id === id)!;
    return { id, name: `__conformance_probe_${i}`, input: node.inputs[0]! };
  });
  const probed: BuiltPipeline = {
    ...built,
    ir: {
      ...built.ir,
      nodes: [
        ...built.ir.nodes,
        ...probes.map(
          (p): IrNode => ({
            id: `sink:${p.name}`,
            inputs: [p.input],
            outputSchema: {},
            kind: "sink",
            params: { name: p.name },
          }),
        ),
      ],
    },
  };
  const result = referenceRun(probed, input);
  const out = new Map<string, unknown[]>();
  if (result.status === "failed") return out;
  for (const p of probes) out.set(p.id, result.sinks[p.name] ?? []);
  return out;
}

type Law =
  | "merge is commutative"
  | "merge is associative"
  | "add order does not matter"
  | "add agrees with merge";

/** A law a user combiner broke, with the example. */
export interface CombineLawViolation {
  nodeId: string;
  field: string | null;
  law: Law;
  example: string;
}

/**
 * Checks every user `combine` aggregation for the laws determinism needs, on accumulators built
 * from the elements that reach its window (at most 200 of them): merge commutative and
 * associative, the order of `add` irrelevant, and `add` consistent with `merge`. Results are
 * compared through `extract`, as canonical JSON.
 */
export function checkCombineLaws(
  built: BuiltPipeline,
  input: PartitionedInput,
  options: { runs: number; seed: number },
): CombineLawViolation[] {
  const sites = combineSites(built.ir.nodes);
  if (sites.length === 0) return [];
  const samplesByNode = windowInputs(
    built,
    input,
    sites.map((s) => s.nodeId),
  );
  const violations: CombineLawViolation[] = [];
  for (const site of sites) {
    const samples = (samplesByNode.get(site.nodeId) ?? []).slice(0, 200);
    if (samples.length === 0) continue;
    const fn = (ref: { id: string }) => built.fns.get(ref.id) as unknown as (...args: unknown[]) => unknown;
    const create = fn(site.spec.create);
    const add = fn(site.spec.add);
    const merge = fn(site.spec.merge);
    const extract = fn(site.spec.extract);
    const clone = <T>(x: T): T => {
      try {
        return structuredClone(x);
      } catch {
        return x;
      }
    };
    const accOf = (xs: readonly unknown[]) => xs.reduce((acc, x) => add(clone(acc), x), create());
    const show = (acc: unknown) => canonicalJson(extract(clone(acc)));
    const accText = (xs: readonly unknown[]) =>
      xs.reduce<string>((text, x) => `add(${text}, ${canonicalJson(x)})`, "create()");
    const group = fc
      .array(fc.nat(samples.length - 1), { minLength: 1, maxLength: 3 })
      .map((ix) => ix.map((i) => samples[i]));
    const laws: [Law, fc.Arbitrary<unknown[][]>, (gs: unknown[][]) => [string, string, string] | null][] = [
      [
        "merge is commutative",
        fc.tuple(group, group),
        ([a, b]) => {
          const [A, B] = [accOf(a!), accOf(b!)];
          const ab = show(merge(clone(A), clone(B)));
          const ba = show(merge(clone(B), clone(A)));
          return ab === ba
            ? null
            : [
                `A = ${accText(a!)}\n    B = ${accText(b!)}`,
                `extract(merge(A, B)) = ${ab}`,
                `extract(merge(B, A)) = ${ba}`,
              ];
        },
      ],
      [
        "merge is associative",
        fc.tuple(group, group, group),
        ([a, b, c]) => {
          const [A, B, C] = [accOf(a!), accOf(b!), accOf(c!)];
          const left = show(merge(merge(clone(A), clone(B)), clone(C)));
          const right = show(merge(clone(A), merge(clone(B), clone(C))));
          return left === right
            ? null
            : [
                `A = ${accText(a!)}\n    B = ${accText(b!)}\n    C = ${accText(c!)}`,
                `extract(merge(merge(A, B), C)) = ${left}`,
                `extract(merge(A, merge(B, C))) = ${right}`,
              ];
        },
      ],
      [
        "add order does not matter",
        fc.tuple(group, group),
        ([a, b]) => {
          const xs = [...a!, ...b!];
          const one = show(accOf(xs));
          const other = show(accOf([...xs].reverse()));
          return one === other
            ? null
            : [
                `elements ${xs.map((x) => canonicalJson(x)).join(", ")}`,
                `added in this order: ${one}`,
                `added in reverse order: ${other}`,
              ];
        },
      ],
      [
        "add agrees with merge",
        fc.tuple(group, group),
        ([a, b]) => {
          const added = show(accOf([...a!, ...b!]));
          const merged = show(merge(accOf(a!), accOf(b!)));
          return added === merged
            ? null
            : [
                `A = ${accText(a!)}\n    B = ${accText(b!)}`,
                `adding the elements of A then B: ${added}`,
                `extract(merge(A, B)) = ${merged}`,
              ];
        },
      ],
    ];
    for (const [law, arb, broken] of laws) {
      const details = fc.check(
        fc.property(arb, (gs) => broken(gs) === null),
        { numRuns: options.runs, seed: options.seed },
      );
      if (!details.failed) continue;
      const gs = details.counterexample?.[0];
      let lines: [string, string, string] | null = null;
      try {
        lines = gs ? broken(gs) : null;
      } catch (e) {
        lines = ["(the example threw)", String(e), ""];
      }
      violations.push({
        nodeId: site.nodeId,
        field: site.field,
        law,
        example: lines ? `    ${lines[0]}\n    ${lines[1]}\n    ${lines[2]}` : String(details.errorInstance),
      });
    }
  }
  return violations;
}

/** Human-readable report of combine-law violations. */
export function formatCombineLawViolations(violations: readonly CombineLawViolation[]): string {
  return violations
    .map(
      (v) =>
        `combine of ${v.nodeId}${v.field === null ? "" : ` (field "${v.field}")`}: ${v.law} does NOT hold, e.g.\n${v.example}\n` +
        "  A combiner must be associative and commutative (SEMANTICS.md §6), or results depend on arrival order, batching and crashes.",
    )
    .join("\n\n");
}

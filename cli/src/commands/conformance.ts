/**
 * `tributary conformance`: the conformance suite (SEMANTICS.md) from the command line.
 *
 * - Without `--pipeline`: every property on generated pipelines, inputs and plans, for each
 *   runner in `--runners`; prints the table runner × property → passed/failed, seed, runs,
 *   time, then each failure's shrunk counterexample as a ready-to-paste test.
 * - With `--pipeline FILE --source NAME=URI…`: the user's pipeline on every runner over the
 *   sample input read from the bound sources, and over perturbations of its partitioning and
 *   order, compared with the reference model (a readable diff of final views on mismatch); and
 *   a check of the laws of every user `combine` aggregation, with an example when one fails.
 *
 * Exits 1 when anything fails, 2 on usage errors.
 */

import {
  type ConformanceRow,
  checkCombineLaws,
  checkUserPipeline,
  formatCombineLawViolations,
  formatConformanceTable,
  type RunnerUnderTest,
  readSourcesAsInput,
  runConformance,
  selectRunners,
} from "@tributary/conformance";
import { createSource, parseBinding, type Source } from "@tributary/connectors";
import type { BuiltPipeline } from "@tributary/sdk";
import { UsageError } from "../errors.ts";
import { loadPipeline } from "../load-pipeline.ts";

export interface ConformanceFlags {
  runners: string;
  runs?: string;
  seed?: string;
  pipeline?: string;
  source: string[];
}

export async function conformanceCommand(flags: ConformanceFlags): Promise<void> {
  let runners: RunnerUnderTest[];
  try {
    runners = selectRunners([flags.runners]);
  } catch (error) {
    throw new UsageError(`--runners: ${(error as Error).message}`);
  }
  if (runners.length === 0) throw new UsageError("--runners names no runner; pass e.g. --runners embedded");
  const seed =
    flags.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : parseInteger(flags.seed, "--seed");

  if (flags.pipeline === undefined) {
    if (flags.source.length > 0)
      throw new UsageError("--source binds the sources of --pipeline FILE; pass --pipeline too");
    const runs = flags.runs === undefined ? 200 : parsePositive(flags.runs, "--runs");
    process.stderr.write(
      `conformance suite: ${runners.length} runner configurations, ${runs} cases per property, seed ${seed}\n`,
    );
    const rows = await runConformance({ runners, runs, seed });
    report(rows, "");
    return;
  }

  const runs = flags.runs === undefined ? 100 : parsePositive(flags.runs, "--runs");
  const built = await loadPipeline(flags.pipeline);
  const input = await readSourcesAsInput(await bindSources(built, flags.source));
  const lines = Object.values(input).reduce((n, ps) => n + ps.reduce((m, p) => m + p.length, 0), 0);
  process.stderr.write(
    `conformance of pipeline "${built.ir.name}": ${lines} input lines, ${runners.length} runner configurations, ${runs} perturbations each, seed ${seed}\n`,
  );
  const rows = await checkUserPipeline(built, input, { runners, runs, seed });
  const started = performance.now();
  const violations = checkCombineLaws(built, input, { runs: Math.max(runs, 100), seed });
  const hasCombine = built.ir.nodes.some(
    (n) =>
      n.kind === "windowAggregate" &&
      (n.params.aggregate.shape === "single"
        ? n.params.aggregate.aggregation.kind === "combine"
        : Object.values(n.params.aggregate.fields).some((f) => f.kind === "combine")),
  );
  if (hasCombine) {
    const row: ConformanceRow = {
      runner: "user combine aggregations",
      property: "associative and commutative",
      passed: violations.length === 0,
      seed,
      runs: Math.max(runs, 100),
      timeMs: Math.round(performance.now() - started),
    };
    if (violations.length > 0) row.failure = formatCombineLawViolations(violations);
    rows.push(row);
  }
  report(rows, "pipeline");
}

function report(rows: ConformanceRow[], mode: string): void {
  process.stdout.write(`${formatConformanceTable(rows)}\n`);
  const failed = rows.filter((r) => !r.passed).length;
  if (failed > 0) {
    process.stdout.write(
      `\n${failed} of ${rows.length} checks FAILED${mode === "pipeline" ? "" : " (rerun one with --seed and --runners to reproduce)"}\n`,
    );
    process.exitCode = 1;
  } else process.stdout.write(`\nall ${rows.length} checks passed\n`);
}

async function bindSources(built: BuiltPipeline, flags: readonly string[]): Promise<Record<string, Source>> {
  const uris = new Map<string, string>();
  for (const text of flags) {
    const { name, uri } = parseBinding(text, "--source");
    uris.set(name, uri);
  }
  const sources: Record<string, Source> = {};
  const names: string[] = [];
  for (const node of built.ir.nodes) {
    if (node.kind !== "source") continue;
    names.push(node.params.name);
    const uri = uris.get(node.params.name);
    if (uri === undefined)
      throw new UsageError(
        `source "${node.params.name}" is not bound; pass --source ${node.params.name}=file:SAMPLE.jsonl (the sample input to check)`,
      );
    sources[node.params.name] = createSource(uri, {
      recordSchema: node.params.recordSchema,
      label: `--source ${node.params.name}`,
    });
    uris.delete(node.params.name);
  }
  const [unknown] = uris.keys();
  if (unknown !== undefined)
    throw new UsageError(
      `unknown source "${unknown}" in --source; the pipeline's sources are: ${names.join(", ")}`,
    );
  return sources;
}

function parseInteger(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n))
    throw new UsageError(`${flag} ${text}: not a whole number; pass e.g. ${flag} 42`);
  return n;
}

function parsePositive(text: string, flag: string): number {
  const n = parseInteger(text, flag);
  if (n <= 0) throw new UsageError(`${flag} ${text}: must be at least 1`);
  return n;
}

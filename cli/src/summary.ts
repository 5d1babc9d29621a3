import type { JobResult } from "@tributary/runner-embedded";
import type { MicroBatchResult, Trigger } from "@tributary/runner-microbatch";
import type { BuiltPipeline } from "@tributary/sdk";

/** One summary block on stderr: records, rate, per-sink counts, dead letters and late drops. */
export function printSummary(built: BuiltPipeline, result: JobResult): void {
  process.stderr.write(`${summaryLines(built, result).join("\n")}\n`);
}

const ms = (x: number) => (x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString("en-US"));

function describeTrigger(trigger: Trigger | undefined): string {
  if (trigger === undefined || trigger.kind === "processingTime")
    return `processing-time:${trigger?.intervalMs ?? 0}ms`;
  return trigger.kind === "once" ? "once" : "available-now";
}

/**
 * The micro-batch runner's summary: the common block, then batches, per-batch latency (from the
 * start of reading to the commit: p50, p99, max) and the trigger. Output becomes visible at each
 * commit, so latency is about one trigger interval plus the batch's latency.
 */
export function printMicroBatchSummary(
  built: BuiltPipeline,
  result: MicroBatchResult,
  trigger: Trigger | undefined,
): void {
  const lines = summaryLines(built, result);
  const { p50, p99, max } = result.latencyMs;
  lines.splice(
    1,
    0,
    `  micro-batches: ${result.batches.toLocaleString("en-US")} (trigger ${describeTrigger(trigger)}); latency per batch p50 ${ms(p50)} ms, p99 ${ms(p99)} ms, max ${ms(max)} ms`,
  );
  process.stderr.write(`${lines.join("\n")}\n`);
}

type SummaryInput = Pick<
  JobResult,
  "elapsedMs" | "recordsIn" | "completed" | "counters" | "deadLetters" | "deadLetterSample" | "restoredFrom"
>;

function summaryLines(built: BuiltPipeline, result: SummaryInput): string[] {
  const seconds = result.elapsedMs / 1000;
  const rate = Math.round(result.recordsIn / Math.max(seconds, 1e-3));
  const lines = [
    `${built.ir.name}: ${result.recordsIn.toLocaleString("en-US")} records in ${seconds.toFixed(2)}s (${rate.toLocaleString("en-US")} records/s)${result.completed ? "" : " — stopped before the end of input"}`,
  ];
  for (const node of built.ir.nodes) {
    const c = result.counters[node.id];
    if (!c) continue;
    if (node.kind === "sink")
      lines.push(`  sink ${node.params.name}: ${c.in.toLocaleString("en-US")} records`);
    if (node.kind === "windowAggregate" && c.droppedLate > 0)
      lines.push(`  ${node.id}: ${c.droppedLate} late elements dropped`);
  }
  const hasDeadLetterSink = built.ir.nodes.some((n) => n.kind === "deadLetters");
  if (result.deadLetters > 0) {
    lines.push(
      `  dead letters: ${result.deadLetters}${hasDeadLetterSink ? "" : ' (no dead-letter sink; first ones below — add p.deadLetters().sink("dlq") to keep them)'}`,
    );
    if (!hasDeadLetterSink) {
      for (const d of result.deadLetterSample.slice(0, 5))
        lines.push(`    ${d.reason} at ${JSON.stringify(d.id)}: ${d.message}`);
    }
  }
  if (result.restoredFrom !== null) lines.push(`  resumed from checkpoint ${result.restoredFrom}`);
  return lines;
}

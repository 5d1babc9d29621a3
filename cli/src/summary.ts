import type { JobResult } from "@tributary/runner-embedded";
import type { BuiltPipeline } from "@tributary/sdk";

/** One summary block on stderr: records, rate, per-sink counts, dead letters and late drops. */
export function printSummary(built: BuiltPipeline, result: JobResult): void {
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
  process.stderr.write(`${lines.join("\n")}\n`);
}

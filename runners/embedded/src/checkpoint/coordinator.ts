/**
 * Checkpoints of the embedded runner (SEMANTICS.md §10). The runner is single-threaded, so a
 * checkpoint taken between two passes of the graph is aligned by construction: no record is in
 * flight. Order: sinks pre-commit, then state + source positions + operator snapshots + sink
 * tokens are stored atomically by the state backend, then sinks commit.
 */
import type { CompletedCheckpoint, OperatorCounters, Snapshot, StateBackend } from "@tributary/operators";
import type { JobGraph } from "../job/graph.ts";
import type { OpenPartition } from "../job/source-partitions.ts";

interface NodeSnapshot {
  readonly op: Snapshot;
  readonly counters: OperatorCounters;
  readonly inputWatermark: number;
  readonly watermark: number;
}

export async function takeCheckpoint(
  id: number,
  graph: JobGraph,
  partitions: readonly OpenPartition[],
  state: StateBackend,
): Promise<void> {
  const sinks: Record<string, unknown> = {};
  for (const s of graph.sinks) sinks[s.name] = await s.sink.preCommit(id);
  const operators: Record<string, Snapshot> = {};
  for (const n of graph.nodes) {
    const snap: NodeSnapshot = {
      op: n.op ? n.op.snapshot() : null,
      counters: { ...n.counters },
      inputWatermark: n.inputWatermark,
      watermark: n.watermark,
    };
    operators[n.node.id] = snap;
  }
  const sourcePositions: Record<string, Record<number, unknown>> = {};
  for (const p of partitions) {
    const bySource = sourcePositions[p.binding.name] ?? {};
    bySource[p.partition] = p.position;
    sourcePositions[p.binding.name] = bySource;
  }
  await state.checkpoint(id, { sourcePositions, operators, sinks });
  for (const s of graph.sinks) await s.sink.commit(sinks[s.name]);
}

/**
 * Puts operators, counters and watermarks back as the checkpoint recorded them and lets sinks
 * recover (commit what the checkpoint pre-committed, discard what came after). Returns the
 * source positions to resume from.
 */
export async function restoreFromCheckpoint(
  graph: JobGraph,
  checkpoint: CompletedCheckpoint | null,
): Promise<Record<string, Record<number, unknown>>> {
  for (const s of graph.sinks) await s.sink.recover(checkpoint?.meta.sinks[s.name] ?? null);
  if (!checkpoint) return {};
  const { meta } = checkpoint;
  for (const n of graph.nodes) {
    const snap = meta.operators[n.node.id] as NodeSnapshot | undefined;
    if (!snap) continue;
    if (n.op) n.op.restore(snap.op);
    Object.assign(n.counters, snap.counters);
    n.inputWatermark = snap.inputWatermark;
    n.watermark = snap.watermark;
  }
  return meta.sourcePositions as Record<string, Record<number, unknown>>;
}

/**
 * Moves queued records through the job graph in topological order, then advances watermarks.
 *
 * One pass processes every queue once: a node sees the records its inputs emitted earlier in the
 * pass before it sees their new watermark (channels are FIFO, SEMANTICS.md §2), so the operator
 * watermark a record meets is never above its element watermark.
 */
import { type MutableStreamRecord, TimestampsOperator } from "@tributary/operators";
import type { JobGraph, RuntimeNode } from "./graph.ts";

/** Process until every queue is empty. */
export async function pump(graph: JobGraph): Promise<void> {
  const nodes = graph.nodes;
  do {
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (n.node.kind === "source") continue;
      if (n.queue.length > 0) {
        const batch = n.queue;
        n.queue = [];
        await processBatch(n, batch);
      }
      await advanceWatermark(graph, n);
    }
  } while (hasQueued(nodes));
}

function hasQueued(nodes: readonly RuntimeNode[]): boolean {
  for (const n of nodes) if (n.queue.length > 0) return true;
  return false;
}

async function processBatch(n: RuntimeNode, batch: RuntimeNode["queue"]): Promise<void> {
  if (n.chain) {
    // The records were created for this chain (source-partitions.ts): rewrite them in place.
    const records = batch as MutableStreamRecord[];
    const chain = n.chain;
    for (let i = 0; i < chain.length && records.length > 0; i++) {
      const link = chain[i]!;
      link.op.processBatchInPlace(records, link.node.out);
    }
    forward(chain[chain.length - 1]!.node, records);
    return;
  }
  if (n.op) {
    const pending = n.op.processBatch(batch, n.out);
    if (pending) await pending;
    return;
  }
  n.counters.in += batch.length;
  if (n.sink) {
    const values = new Array<unknown>(batch.length);
    for (let i = 0; i < batch.length; i++) values[i] = batch[i]!.value;
    n.counters.out += batch.length;
    const pending = n.sink.write(values);
    if (pending) await pending; // backpressure: the source loop waits for the sink
    return;
  }
  // union, lateData, deadLetters: forward as they are.
  n.counters.out += batch.length;
  for (const c of n.consumers) {
    if (c.queue.length === 0) c.queue = batch.slice();
    else for (const r of batch) c.queue.push(r);
  }
}

/** Queue `batch` (which the caller gives up) to every consumer of `n`. */
function forward(n: RuntimeNode, batch: RuntimeNode["queue"]): void {
  if (batch.length === 0) return;
  const consumers = n.consumers;
  for (let i = 0; i < consumers.length; i++) {
    const c = consumers[i]!;
    if (c.queue.length === 0) c.queue = i === consumers.length - 1 ? batch : batch.slice();
    else for (const r of batch) c.queue.push(r);
  }
}

async function advanceWatermark(graph: JobGraph, n: RuntimeNode): Promise<void> {
  if (n.op instanceof TimestampsOperator) {
    n.watermark = n.op.currentWatermark();
    return;
  }
  const wm = n.inputs.length === 0 ? lowestSourceWatermark(graph) : lowestInputWatermark(graph, n);
  if (wm <= n.inputWatermark) return;
  n.inputWatermark = wm;
  if (n.op) {
    const pending = n.op.onWatermark(wm, n.out);
    if (pending) await pending;
    n.watermark = n.op.outputWatermark(wm);
  } else {
    n.watermark = wm;
  }
}

function lowestInputWatermark(graph: JobGraph, n: RuntimeNode): number {
  let wm = Number.POSITIVE_INFINITY;
  for (const i of n.inputs) wm = Math.min(wm, graph.nodes[i]!.watermark);
  return wm;
}

/** The lowest watermark over all sources: the event-time progress of the whole job. */
export function lowestSourceWatermark(graph: JobGraph): number {
  let wm = Number.POSITIVE_INFINITY;
  for (const s of graph.sources) {
    wm = Math.min(wm, s.timestamps ? s.timestamps.currentWatermark() : s.node.watermark);
  }
  return wm;
}

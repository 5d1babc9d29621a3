/**
 * The micro-batch runner: the Spark Structured Streaming model with Tributary's semantics.
 *
 * Per batch: plan (read up to `maxRowsPerBatch` items from the partitions, or the logged counts
 * when replaying) → write-ahead `offsets/<id>` → run the batch through the kernels (one pump
 * over the plan; panes fire at the end of the batch in which the watermark passes them) → write
 * the state version → sinks pre-commit → `commits/<id>` → sinks commit.
 */

import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { ColumnarItems, PartitionReader, SourceItem } from "@tributary/connectors";
import {
  admitSourceItem,
  type DeadLetter,
  type OperatorCounters,
  REJECTED,
  type SourceValidator,
  type StreamRecord,
} from "@tributary/operators";
import type { BuiltPipeline } from "@tributary/sdk";
import { Chunk } from "./batch.ts";
import { planNodes } from "./batch-lambdas.ts";
import {
  buildGraph,
  type Graph,
  lowestSourceWatermark,
  type MbNode,
  pump,
  type Row,
  type SourceBinding,
} from "./graph.ts";
import type { TimestampsMeta } from "./kernels/timestamps.ts";
import type { WindowMeta } from "./kernels/window.ts";
import { CheckpointLog, type OffsetsEntry, type PartitionOffsets } from "./log/checkpoint-log.ts";
import type { BatchReport, MicroBatchResult, MicroBatchRunOptions } from "./options.ts";
import { checkStateOption, createBatchStateStore } from "./state/store.ts";

interface OpenPartition {
  readonly binding: SourceBinding;
  readonly partition: number;
  reader: PartitionReader;
  position: unknown;
  done: boolean;
  /** Read as columns (the reader has `readColumns` and the source no validator). */
  columnar: boolean;
}

/** What a batch took from one partition: items, or columnar chunks. */
type Taken = SourceItem[] | ColumnarItems[];

async function readSome(p: OpenPartition, max: number): Promise<SourceItem[] | ColumnarItems | null> {
  if (p.columnar) return (await p.reader.readColumns!(max)) ?? null;
  return p.reader.read(max);
}

interface NodeState {
  watermark: number;
  inputWatermark: number;
  counters: OperatorCounters;
  op?: unknown;
  ts?: TimestampsMeta;
  win?: WindowMeta;
  /** Full: every key; delta: changed keys (null = deleted). */
  keys?: [string, unknown][];
}

type StateVersion = Record<string, NodeState>;

export async function runMicroBatch(
  built: BuiltPipeline,
  options: MicroBatchRunOptions,
): Promise<MicroBatchResult> {
  const started = performance.now();
  if (options.checkpointDir) await mkdir(options.checkpointDir, { recursive: true });
  const plans = await planNodes(
    built,
    options.checkpointDir ? join(options.checkpointDir, "lambdas.json") : undefined,
  );
  const graph = buildGraph(built, options, plans);
  const deadLetterSample: DeadLetter[] = [];
  graph.onDeadLetter = (l) => {
    if (deadLetterSample.length < 20) deadLetterSample.push(l);
  };
  const trigger = options.trigger ?? { kind: "processingTime", intervalMs: 0 };
  const maxRows = Math.max(1, options.maxRowsPerBatch ?? 65536);
  const fullEvery = options.fullSnapshotEvery ?? 32;
  const log = options.checkpointDir
    ? new CheckpointLog(options.checkpointDir, options.durable ?? true)
    : null;
  // State versions: files in the checkpoint directory, or a LevelDB store (`options.state`).
  checkStateOption(options.state, options.checkpointDir);
  const store = log ? createBatchStateStore(options.state, log, fullEvery) : null;

  // ---- restore -----------------------------------------------------------------------------
  let lastCommitted: number | null = null;
  let positions = new Map<string, unknown>();
  let replay: OffsetsEntry | null = null;
  if (log) {
    await log.init();
    lastCommitted = await log.lastCommitted();
    await store!.open(lastCommitted);
    if (lastCommitted !== null) {
      const commit = await log.readCommit(lastCommitted);
      const offsets = await log.readOffsets(lastCommitted);
      if (!commit || !offsets) throw new Error(`checkpoint ${log.dir}: batch ${lastCommitted} is incomplete`);
      for (const p of offsets.partitions) positions.set(`${p.source}/${p.partition}`, p.end);
      restoreState(graph, await store!.load(lastCommitted));
      for (const s of graph.sinks) await s.sink!.recover(commit.sinks[s.sinkName!] ?? null);
    } else for (const s of graph.sinks) await s.sink!.recover(null);
    replay = await log.readOffsets((lastCommitted ?? -1) + 1);
  } else for (const s of graph.sinks) await s.sink!.recover(null);

  const partitions: OpenPartition[] = [];
  for (const b of graph.sources) {
    const count = await b.source.partitions();
    for (const c of b.node.consumers) c.ts?.registerPartitions(count);
    for (let p = 0; p < count; p++) {
      const position = positions.get(`${b.name}/${p}`) ?? null;
      const reader = await b.source.open(p, position);
      partitions.push({
        binding: b,
        partition: p,
        reader,
        position,
        done: false,
        columnar: reader.readColumns !== undefined && b.validate === null,
      });
    }
  }
  positions = new Map();

  let batchId = (lastCommitted ?? -1) + 1;
  let batches = 0;
  const latencies: number[] = [];
  let completed = false;
  let turn = 0;
  try {
    for (;;) {
      if (options.signal?.aborted) break;
      const t0 = performance.now();
      const plan: {
        batchId: number;
        partitions: readonly PlannedPartition[];
        prefetched?: Map<OpenPartition, Taken>;
      } =
        replay ??
        (await planBatch(
          partitions,
          trigger.kind === "once" ? Number.POSITIVE_INFINITY : maxRows,
          turn++,
          batchId,
        ));
      const replayed = replay !== null;
      const items = await readBatch(partitions, plan);
      replay = null;
      const allDone = partitions.every((p) => p.done);
      const rows = plan.partitions.reduce((n, p) => n + p.count, 0);
      const nothing = rows === 0 && !plan.partitions.some((p) => p.finished && !p.start_finished);
      if (nothing && !replayed) {
        if (allDone) {
          completed = true;
          break;
        }
        if (trigger.kind !== "processingTime") break;
        await sleep(Math.max(5, trigger.intervalMs));
        continue;
      }
      const entry: OffsetsEntry = {
        batchId,
        partitions: plan.partitions.map(({ start_finished: _, ...p }) => p),
      };
      if (log && !replayed) await log.writeOffsets(entry);
      const t1 = performance.now();
      const writes: Promise<void>[] = [];
      deliver(graph, partitions, items);
      pump(graph, writes);
      await Promise.all(writes);
      const t2 = performance.now();
      const full = store?.fullAt(batchId) ?? false;
      if (store) {
        await store.write(batchId, full ? "full" : "delta", captureState(graph, full));
      } else for (const n of graph.nodes) n.win?.clearDirty();
      const tokens: Record<string, unknown> = {};
      for (const s of graph.sinks) tokens[s.sinkName!] = await s.sink!.preCommit(batchId + 1);
      if (log) {
        await log.writeCommit({
          batchId,
          sinks: tokens,
          stateKind: full ? "full" : "delta",
        });
      }
      for (const s of graph.sinks) await s.sink!.commit(tokens[s.sinkName!]);
      await store?.afterCommit(batchId);
      const t3 = performance.now();
      latencies.push(t3 - t0);
      batches++;
      const report: BatchReport = {
        batchId,
        rows,
        readMs: t1 - t0,
        processMs: t2 - t1,
        commitMs: t3 - t2,
        watermark: lowestSourceWatermark(graph),
        replayed,
      };
      batchId++;
      await options.onBatch?.(report);
      if (partitions.every((p) => p.done)) {
        completed = true;
        break;
      }
      if (trigger.kind === "once") break;
      if (trigger.kind === "processingTime" && trigger.intervalMs > 0) {
        const wait = trigger.intervalMs - (performance.now() - t0);
        if (wait > 0) await sleep(wait);
      }
    }
  } finally {
    await Promise.all(partitions.map((p) => p.reader.close()));
    await store?.close();
    if (completed || options.signal?.aborted || batches > 0)
      for (const s of graph.sinks) await s.sink!.close();
  }

  const counters: Record<string, OperatorCounters> = {};
  for (const n of graph.nodes) counters[n.node.id] = { ...n.counters };
  const kernels: Record<string, string> = {};
  for (const n of graph.nodes) {
    const plan = n.plan;
    const how =
      plan === null ? null : plan.status === "vectorized" ? "vectorized" : `row-wise: ${plan.reason}`;
    if (n.win)
      kernels[n.node.id] =
        `${how ?? "vectorized"}; window kernel, aggregation ${n.win.agg.describe}${n.win.agg.vectorized ? " (vectorized)" : ""}${n.win.columnar ? ", columnar state" : ""}`;
    else if (n.ts) kernels[n.node.id] = `${how}; prefix-max watermark kernel`;
    else if (n.op && how !== null) kernels[n.node.id] = how;
    else if (n.node.kind === "source") {
      const columnar = partitions.some((p) => p.binding.node === n && p.columnar);
      kernels[n.node.id] = columnar
        ? "columnar read (Arrow columns filled by the source)"
        : "decoded rows → columns on demand";
    }
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const q = (f: number) =>
    sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]!;
  return {
    counters,
    recordsIn: graph.sources.reduce((n, s) => n + s.node.counters.in, 0),
    deadLetters: Object.values(counters).reduce((n, c) => n + c.deadLettered, 0),
    deadLetterSample,
    batches,
    restoredFrom: lastCommitted,
    latencyMs: { p50: q(0.5), p99: q(0.99), max: sorted.at(-1) ?? 0 },
    elapsedMs: performance.now() - started,
    completed,
    kernels,
  };
}

type PlannedPartition = PartitionOffsets & { start_finished?: boolean };

/**
 * Decides what a new batch takes: the partitions in turn (starting at a rotating one), each up to
 * an equal share of the row budget. Reads happen here and are kept for {@link readBatch}.
 */
async function planBatch(
  partitions: OpenPartition[],
  budget: number,
  turn: number,
  batchId: number,
): Promise<{
  batchId: number;
  partitions: PlannedPartition[];
  prefetched?: Map<OpenPartition, Taken>;
}> {
  const active = partitions.filter((p) => !p.done);
  const share = Number.isFinite(budget)
    ? Math.max(1, Math.floor(budget / Math.max(1, active.length)))
    : budget;
  const prefetched = new Map<OpenPartition, Taken>();
  const planned = new Map<OpenPartition, PlannedPartition>();
  let left = budget;
  for (let k = 0; k < partitions.length; k++) {
    const p = partitions[(turn + k) % partitions.length]!;
    const start = p.position;
    const got: (SourceItem | ColumnarItems)[] = [];
    let count = 0;
    let finished = p.done;
    const wasDone = p.done;
    while (!finished && left > 0 && count < share) {
      const want = Math.min(left, share - count);
      const items = await readSome(p, Number.isFinite(want) ? want : 65536);
      if (items === null) finished = true;
      else if (items.length === 0) break;
      else if (Array.isArray(items)) {
        for (const it of items) got.push(it);
        left -= items.length;
        count += items.length;
      } else {
        got.push(items);
        left -= items.length;
        count += items.length;
      }
    }
    if (finished) p.done = true;
    p.position = p.reader.position();
    prefetched.set(p, got as Taken);
    planned.set(p, {
      source: p.binding.name,
      partition: p.partition,
      start,
      end: p.position,
      count,
      finished,
      start_finished: wasDone,
    });
  }
  return { batchId, partitions: partitions.map((p) => planned.get(p)!), prefetched };
}

/** The items of a batch: prefetched by the planner, or re-read from the logged counts (replay). */
async function readBatch(
  partitions: OpenPartition[],
  plan: { partitions: readonly PartitionOffsets[]; prefetched?: Map<OpenPartition, Taken> },
): Promise<Map<OpenPartition, Taken>> {
  if (plan.prefetched) return plan.prefetched;
  const out = new Map<OpenPartition, Taken>();
  for (const po of plan.partitions) {
    const p = partitions.find((x) => x.binding.name === po.source && x.partition === po.partition);
    if (!p) throw new Error(`replay: the source ${po.source} has no partition ${po.partition} any more`);
    const got: (SourceItem | ColumnarItems)[] = [];
    let count = 0;
    while (count < po.count) {
      const items = await readSome(p, po.count - count);
      if (items === null)
        throw new Error(`replay: ${po.source}/${po.partition} ended before the logged offsets`);
      if (Array.isArray(items)) for (const it of items) got.push(it);
      else got.push(items);
      count += items.length;
    }
    if (po.finished) p.done = true;
    p.position = p.reader.position();
    out.set(p, got as Taken);
  }
  return out;
}

/**
 * Decodes and validates the batch's items per row (dead letters with identity and reason) and
 * queues each source's valid rows to its consumers as one columnar chunk (row objects only where
 * the source gave them; columnar reads build none). A source whose batch carries scripted
 * watermarks is queued row by row, with the watermarks in place.
 */
function deliver(graph: Graph, partitions: OpenPartition[], items: Map<OpenPartition, Taken>): void {
  const perSource = new Map<
    MbNode,
    { name: string; rows: Row[]; chunks: Chunk[]; markers: Row[]; scripted: boolean }
  >();
  for (const p of partitions) {
    const got = items.get(p) ?? [];
    const { binding } = p;
    const src = binding.node;
    let acc = perSource.get(src);
    if (acc === undefined) {
      acc = { name: binding.name, rows: [], chunks: [], markers: [], scripted: false };
      perSource.set(src, acc);
    }
    const rows = acc.rows;
    const validate = binding.validate as SourceValidator | null;
    const values: unknown[] = [];
    const offsets: number[] = [];
    for (const x of got) {
      if (!("kind" in x)) {
        src.counters.in += x.length;
        src.counters.out += x.length;
        acc.chunks.push(Chunk.fromColumnar(binding.name, p.partition, x));
        continue;
      }
      const item = x;
      if (item.kind === "watermark") {
        acc.scripted = true;
        rows.push({ marker: "watermark", partition: p.partition, watermark: item.watermark });
        continue;
      }
      src.counters.in++;
      const id = [binding.name, p.partition, item.offset] as const;
      const value = admitSourceItem(id, src.node.id, item, validate, (letter) => reject(graph, src, letter));
      if (value === REJECTED) continue;
      src.counters.out++;
      rows.push({ value, ts: 0, w: Number.NEGATIVE_INFINITY, id } satisfies StreamRecord);
      values.push(value);
      offsets.push(item.offset);
    }
    if (values.length > 0) {
      const n = values.length;
      acc.chunks.push(
        new Chunk(
          n,
          binding.name,
          new Int32Array(n).fill(p.partition),
          Float64Array.from(offsets),
          values,
          null,
        ),
      );
    }
    if (p.done && !(p as { finishDelivered?: boolean }).finishDelivered) {
      (p as { finishDelivered?: boolean }).finishDelivered = true;
      const end: Row = { marker: "watermark", partition: p.partition, watermark: Number.POSITIVE_INFINITY };
      rows.push(end);
      acc.markers.push(end);
    }
  }
  // A source without timestamps has no event-time progress until all its partitions end.
  for (const b of graph.sources) {
    if (partitions.every((p) => p.binding !== b || p.done)) b.node.watermark = Number.POSITIVE_INFINITY;
  }
  for (const [src, acc] of perSource) {
    if (acc.scripted) {
      // Rows in order with the watermarks (columnar reads never carry watermarks).
      for (const c of src.consumers) {
        if (c.ts) for (const r of acc.rows) c.queue.push(r);
        else for (const r of acc.rows) if (!("marker" in r)) c.queue.push(r);
      }
      continue;
    }
    const chunk = acc.chunks.length === 0 ? null : Chunk.concat(acc.name, acc.chunks);
    for (const c of src.consumers) {
      if (chunk !== null) c.queue.push(chunk);
      if (c.ts) for (const m of acc.markers) c.queue.push(m);
    }
  }
}

function reject(graph: Graph, src: MbNode, letter: DeadLetter): void {
  src.counters.deadLettered++;
  src.out.deadLetter(letter);
}

// ---- state versions ----------------------------------------------------------------------------

function captureState(graph: Graph, full: boolean): StateVersion {
  const v: StateVersion = {};
  for (const n of graph.nodes) {
    const s: NodeState = {
      watermark: n.watermark,
      inputWatermark: n.inputWatermark,
      counters: { ...n.counters },
    };
    if (n.op) s.op = n.op.snapshot();
    if (n.ts) s.ts = n.ts.meta();
    if (n.win) {
      s.win = n.win.meta();
      s.keys = n.win.snapshotKeys(full);
    }
    v[n.node.id] = s;
  }
  return v;
}

function restoreState(graph: Graph, versions: unknown[]): void {
  const keys = new Map<string, Map<string, unknown>>();
  let last: StateVersion | null = null;
  for (const raw of versions) {
    const v = raw as StateVersion;
    last = v;
    for (const [id, s] of Object.entries(v)) {
      if (!s.keys) continue;
      let m = keys.get(id);
      if (!m) {
        m = new Map();
        keys.set(id, m);
      }
      for (const [k, ks] of s.keys) {
        if (ks === null) m.delete(k);
        else m.set(k, ks);
      }
    }
  }
  if (!last) return;
  for (const n of graph.nodes) {
    const s = last[n.node.id];
    if (!s) continue;
    n.watermark = s.watermark;
    n.inputWatermark = s.inputWatermark;
    Object.assign(n.counters, s.counters);
    if (n.op && s.op !== undefined) n.op.restore(s.op);
    if (n.ts && s.ts) n.ts.restore(s.ts);
    if (n.win && s.win) n.win.restore(s.win, keys.get(n.node.id) ?? new Map());
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Reading the partitions of the bound sources and turning what they yield into stream records:
 * decode errors and schema violations become dead letters here, before any user code runs.
 */
import type { PartitionReader, SourceItem } from "@tributary/connectors";
import {
  admitSourceItem,
  type DeadLetter,
  type MutableStreamRecord,
  REJECTED,
  type SourceValidator,
  type StreamRecord,
} from "@tributary/operators";
import type { JobGraph, SourceBinding } from "./graph.ts";
import { pump } from "./pump.ts";

export interface OpenPartition {
  readonly binding: SourceBinding;
  readonly partition: number;
  readonly reader: PartitionReader;
  /** Resume position after everything read so far (what a checkpoint stores). */
  position: unknown;
  done: boolean;
  /** Every open partition of the same source (this one included). */
  readonly siblings: readonly OpenPartition[];
}

/** Opens every partition of every source, resuming from `positions` (by source name, then partition). */
export async function openPartitions(
  graph: JobGraph,
  positions: Readonly<Record<string, Readonly<Record<number, unknown>>>>,
): Promise<OpenPartition[]> {
  const open: OpenPartition[] = [];
  for (const binding of graph.sources) {
    const count = await binding.source.partitions();
    binding.timestamps?.registerPartitions(count);
    const siblings: OpenPartition[] = [];
    for (let p = 0; p < count; p++) {
      const position = positions[binding.name]?.[p] ?? null;
      const reader = await binding.source.open(p, position);
      siblings.push({ binding, partition: p, reader, position, done: false, siblings });
    }
    if (count === 0 && !binding.timestamps) binding.node.watermark = Number.POSITIVE_INFINITY;
    open.push(...siblings);
  }
  return open;
}

/**
 * Reads up to `max` items from one partition into the graph's queues (running the graph when a
 * scripted watermark must take effect between elements). Returns the number of items read, or
 * null when the partition is finished.
 */
export async function readPartition(
  graph: JobGraph,
  part: OpenPartition,
  max: number,
): Promise<number | null> {
  const items = await part.reader.read(max);
  if (items === null) {
    part.done = true;
    if (part.binding.timestamps) part.binding.timestamps.finishPartition(part.partition);
    // Without a timestamps node the source's watermark is -Infinity until its input ends, then
    // +Infinity (SEMANTICS.md §2), so that windows over it fire at the end of bounded input.
    else if (part.siblings.every((p) => p.done)) part.binding.node.watermark = Number.POSITIVE_INFINITY;
    return null;
  }
  part.position = part.reader.position();
  const { binding } = part;
  const source = binding.node;
  const counters = source.counters;
  const consumers = source.consumers;
  const name = binding.name;
  const validate = binding.validate as SourceValidator | null;
  const reject = (letter: DeadLetter) => graph.rejectAtSource(source, letter);
  // Created with every field, so that a chain of operators can fill them in place (graph.ts).
  let out: MutableStreamRecord[] = [];
  for (const item of items as SourceItem[]) {
    if (item.kind === "watermark") {
      // Elements before a scripted watermark must see the partition's old watermark, and the
      // new one takes effect (fires what is due) before the elements after it, as in TestStream.
      await flush(graph, consumers, out);
      out = [];
      binding.timestamps?.advancePartition(part.partition, item.watermark);
      await pump(graph);
      continue;
    }
    counters.in++;
    const id = [name, part.partition, item.offset] as const;
    const value = admitSourceItem(id, source.node.id, item, validate, reject);
    if (value === REJECTED) continue;
    counters.out++;
    out.push({ value, ts: 0, w: Number.NEGATIVE_INFINITY, id, key: undefined, keyEnc: undefined });
  }
  deliver(consumers, out);
  return items.length;
}

function deliver(consumers: readonly { queue: StreamRecord[] }[], records: StreamRecord[]): void {
  if (records.length === 0) return;
  for (let i = 0; i < consumers.length; i++) {
    const c = consumers[i]!;
    if (c.queue.length === 0) c.queue = i === consumers.length - 1 ? records : records.slice();
    else for (const r of records) c.queue.push(r);
  }
}

async function flush(
  graph: JobGraph,
  consumers: readonly { queue: StreamRecord[] }[],
  records: StreamRecord[],
) {
  deliver(consumers, records);
  await pump(graph);
}

/** The bench's sources and sinks: the generated input, a paced stamping source, a counting sink. */
import { setTimeout as sleep } from "node:timers/promises";
import {
  createSource,
  type PartitionReader,
  type Sink,
  type Source,
  type SourceItem,
} from "@tributary/connectors";

/** The `numbers` generator (`{ key, value, ts }`, 1 ms apart, in order), one partition. */
export function numbersUri(opts: { events?: number; keys: number; seed: number }): string {
  const count = opts.events === undefined ? "" : `&count=${opts.events}`;
  return `generator:numbers?seed=${opts.seed}&keys=${opts.keys}${count}&partitions=1`;
}

export function numbersSource(opts: { events?: number; keys: number; seed: number }): Source {
  return createSource(numbersUri(opts), { recordSchema: {} });
}

/**
 * A sink that hands each written batch to `consume` (which counts and checksums it) and keeps
 * nothing. Commit protocol: no-ops (nothing to make visible).
 */
export class CountingSink implements Sink {
  readonly description = "bench counting sink";
  written = 0;

  constructor(private readonly consume: (values: readonly unknown[]) => void) {}

  write(values: readonly unknown[]): void {
    this.written += values.length;
    this.consume(values);
  }
  async preCommit(): Promise<unknown> {
    return null;
  }
  async commit(): Promise<void> {}
  async recover(): Promise<void> {}
  async close(): Promise<void> {}
}

/**
 * A rate-limited source for the latency phase: the generator's events (the same function and
 * seed as the throughput runs), released at `rate` events/s, each stamped `born =
 * performance.now()` when it is produced (handed to the runner). A `read` waits until at least
 * one event is due, so the runner never idles on an empty read.
 */
export class PacedStampingSource implements Source {
  readonly description: string;
  readonly bounded = true;

  constructor(
    private readonly inner: Source,
    private readonly rate: number,
    private readonly total: number,
  ) {
    this.description = `paced ${inner.description} at ${rate} events/s, ${total} events`;
  }

  async partitions(): Promise<number> {
    return 1;
  }

  async open(partition: number, position: unknown | null): Promise<PartitionReader> {
    if (partition !== 0 || position !== null)
      throw new Error("PacedStampingSource: one partition, no resume");
    return new PacedReader(await this.inner.open(0, null), this.rate / 1000, this.total);
  }
}

class PacedReader implements PartitionReader {
  readonly #openedAt = performance.now();
  #emitted = 0;

  constructor(
    private readonly inner: PartitionReader,
    private readonly perMs: number,
    private readonly total: number,
  ) {}

  async read(max: number): Promise<SourceItem[] | null> {
    const left = this.total - this.#emitted;
    if (left <= 0) return null;
    let due = this.#due();
    while (due <= 0) {
      const nextAt = this.#openedAt + this.#emitted / this.perMs;
      await sleep(Math.max(1, Math.ceil(nextAt - performance.now())));
      due = this.#due();
    }
    const items = await this.inner.read(Math.min(max, left, due));
    if (items === null) return null;
    const born = performance.now();
    for (const item of items) if (item.kind === "element") (item.value as { born: number }).born = born;
    this.#emitted += items.length;
    return items;
  }

  #due(): number {
    return Math.floor((performance.now() - this.#openedAt) * this.perMs) + 1 - this.#emitted;
  }

  position(): unknown {
    return this.inner.position();
  }

  async close(): Promise<void> {
    await this.inner.close();
  }
}

/** Latency samples (ms) from `born` to the moment the sink sees each element. */
export class LatencyRecorder {
  readonly #samples: Float64Array;
  #n = 0;

  constructor(capacity: number) {
    this.#samples = new Float64Array(capacity);
  }

  record(values: readonly unknown[]): void {
    const now = performance.now();
    for (let i = 0; i < values.length; i++) {
      const born = (values[i] as { born: number }).born;
      if (this.#n < this.#samples.length) this.#samples[this.#n++] = now - born;
    }
  }

  summary(): LatencySummary {
    const s = this.#samples.slice(0, this.#n).sort();
    const at = (q: number) =>
      s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
    return { samples: s.length, p50Ms: at(0.5), p99Ms: at(0.99), p999Ms: at(0.999), maxMs: at(1) };
  }
}

export interface LatencySummary {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

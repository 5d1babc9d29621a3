import { setTimeout as sleep } from "node:timers/promises";
import { ConnectorError } from "../errors.ts";
import type { ColumnarItems, PartitionReader, Source, SourceItem } from "../source.ts";
import type { Generator, GeneratorContext } from "./generators.ts";
import { Prng } from "./prng.ts";

/** A configured generator stream. */
export interface GeneratorConfig extends GeneratorContext {
  readonly generator: Generator;
  /** Total events across partitions; undefined = unbounded. */
  readonly count: number | undefined;
  /** Events per second across partitions; undefined = as fast as possible. */
  readonly rate: number | undefined;
  readonly partitions: number;
}

/** Longest single wait inside `read` for a rate-limited partition, in ms. */
const MAX_WAIT_MS = 100;

/**
 * A deterministic generated source. Event `g` of the stream (0-based, all partitions) goes to
 * partition `g mod partitions` as its sequence number `floor(g / partitions)`, and is computed
 * from `(seed, g)` alone: the same seed and parameters give the same data, the same events are
 * produced whatever the number of partitions, and resuming at a sequence number is O(1).
 * Positions are the next sequence number.
 */
export class GeneratorSource implements Source {
  readonly description: string;
  readonly bounded: boolean;

  constructor(
    uri: string,
    private readonly config: GeneratorConfig,
  ) {
    this.bounded = config.count !== undefined;
    const p = config.partitions;
    this.description = `${uri} (${p} partition${p === 1 ? "" : "s"}, ${this.bounded ? `${config.count} events` : "unbounded"})`;
  }

  async partitions(): Promise<number> {
    return this.config.partitions;
  }

  async open(partition: number, position: unknown | null): Promise<PartitionReader> {
    const p = this.config.partitions;
    if (!Number.isInteger(partition) || partition < 0 || partition >= p) {
      throw new ConnectorError(this.description, `there is no partition ${partition}`, `Open 0 to ${p - 1}.`);
    }
    const seq = position ?? 0;
    if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) {
      throw new ConnectorError(
        this.description,
        `cannot resume from position ${JSON.stringify(position)}: expected a sequence number`,
        "Restore from a checkpoint taken with the same source binding, or start without one.",
      );
    }
    return new GeneratorReader(this.config, partition, seq);
  }
}

class GeneratorReader implements PartitionReader {
  private readonly rng = new Prng();
  /** Events in this partition; Infinity when unbounded. */
  private readonly total: number;
  private readonly openedAt = performance.now();
  private emittedSinceOpen = 0;
  /** Present when the generator has a columnar form (see `Generator.makeColumns`). */
  readonly readColumns?: (max: number) => Promise<ColumnarItems | null>;

  constructor(
    private readonly config: GeneratorConfig,
    private readonly partition: number,
    private seq: number,
  ) {
    const { count, partitions } = config;
    this.total =
      count === undefined
        ? Number.POSITIVE_INFINITY
        : Math.max(0, Math.ceil((count - partition) / partitions));
    if (config.generator.makeColumns !== undefined) this.readColumns = (max) => this.columns(max);
  }

  private async columns(max: number): Promise<ColumnarItems | null> {
    const left = this.total - this.seq;
    if (left <= 0) return null;
    let n = Math.min(max, left);
    if (this.config.rate !== undefined) n = Math.min(n, await this.allowance());
    const { generator, partitions } = this.config;
    const firstOffset = this.seq;
    const columns = generator.makeColumns!(
      firstOffset * partitions + this.partition,
      partitions,
      n,
      this.rng,
      this.config,
    );
    this.seq += n;
    this.emittedSinceOpen += n;
    return { length: n, firstOffset, columns };
  }

  async read(max: number): Promise<SourceItem[] | null> {
    const left = this.total - this.seq;
    if (left <= 0) return null;
    let n = Math.min(max, left);
    if (this.config.rate !== undefined) n = Math.min(n, await this.allowance());
    const { generator, partitions, seed } = this.config;
    const rng = this.rng;
    const out: SourceItem[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const offset = this.seq + i;
      const index = offset * partitions + this.partition;
      out[i] = {
        kind: "element",
        offset,
        value: generator.make(index, rng.reseed(seed, index), this.config),
      };
    }
    this.seq += n;
    this.emittedSinceOpen += n;
    return out;
  }

  /** How many events the rate allows now; waits (briefly) for the next one when none is due. */
  private async allowance(): Promise<number> {
    const perMs = this.config.rate! / this.config.partitions / 1000;
    const due = () => Math.floor((performance.now() - this.openedAt) * perMs) + 1 - this.emittedSinceOpen;
    let allowed = due();
    if (allowed <= 0) {
      const nextAt = this.openedAt + this.emittedSinceOpen / perMs;
      await sleep(Math.max(1, Math.min(MAX_WAIT_MS, Math.ceil(nextAt - performance.now()))));
      allowed = due();
    }
    return Math.max(0, allowed);
  }

  position(): number {
    return this.seq;
  }

  async close(): Promise<void> {}
}

import type { ColumnarField } from "../source.ts";
import { hashUnit, type Prng } from "./prng.ts";

/** Parameters every generator sees. */
export interface GeneratorContext {
  readonly seed: number;
  /** Distinct keys (customers, users, number keys). */
  readonly keys: number;
  /** Event time of the first event, epoch ms. */
  readonly startTs: number;
}

/**
 * A named data generator. `make(index, rng, ctx)` returns event `index` of the whole stream
 * (all partitions), using only `rng` (reseeded for `(seed, index)`) and hash functions of
 * `(seed, index, ...)`, so any event can be computed on its own.
 */
export interface Generator {
  readonly name: string;
  /** What the records look like, for help texts. */
  readonly shape: string;
  readonly defaultKeys: number;
  make(index: number, rng: Prng, ctx: GeneratorContext): unknown;
  /**
   * Optional columnar form of {@link make}: events `first + j * stride`, j < n, as columns with
   * exactly the values (and top-level field order) `make` gives, without building objects.
   */
  makeColumns?(
    first: number,
    stride: number,
    n: number,
    rng: Prng,
    ctx: GeneratorContext,
  ): Record<string, ColumnarField>;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Event-time step between consecutive fraud events, and their bounded disorder. */
const FRAUD_STEP_MS = 10;
const FRAUD_MAX_DISORDER_MS = 3000;
/** Events per "spree epoch" (one minute of event time). */
const FRAUD_EPOCH = 6000;

/**
 * Card transactions `{ txId, customerId, amount, ts }`. Event time advances 10 ms per event;
 * each `ts` is earlier by a random 0–2999 ms, so the stream is out of order by less than 3 s.
 * Amounts are mostly small with an occasional large one; in about a third of the minutes one
 * customer goes on a spree (many purchases of 800–2000), pushing a 5-minute spend over 10,000.
 */
const fraud: Generator = {
  name: "fraud",
  shape: "{ txId, customerId, amount, ts }",
  defaultKeys: 1000,
  make(index, rng, ctx) {
    const ts = ctx.startTs + index * FRAUD_STEP_MS - rng.int(FRAUD_MAX_DISORDER_MS);
    const epoch = Math.floor(index / FRAUD_EPOCH);
    const spree = hashUnit(ctx.seed, epoch, 1) < 1 / 3 && rng.float() < 0.002;
    let customer: number;
    let amount: number;
    if (spree) {
      customer = Math.floor(hashUnit(ctx.seed, epoch, 2) * ctx.keys);
      amount = 800 + rng.float() * 1200;
    } else {
      customer = rng.int(ctx.keys);
      const u = rng.float();
      amount = u < 0.01 ? 1000 + rng.float() * 4000 : 1 + rng.float() ** 3 * 300;
    }
    return { txId: `tx${index}`, customerId: `c${customer}`, amount: round2(amount), ts };
  },
};

const PAGES = ["/", "/search", "/product", "/cart", "/checkout", "/account", "/help"] as const;
const CLICK_STEP_MS = 1000;
const CLICK_BLOCK_MS = 10 * 60_000;
const CLICK_ACTIVE = 0.3;

/**
 * Page views `{ userId, page, ts }`, one per second of event time (up to 2 s out of order).
 * Each user is active in a random 30% of 10-minute blocks and clicks every few seconds while
 * active, so a user's clicks come in bursts separated by gaps of 10–20 minutes (inside a
 * 30-minute session gap) and of 30 minutes or more (new sessions).
 */
const clicks: Generator = {
  name: "clicks",
  shape: "{ userId, page, ts }",
  defaultKeys: 50,
  make(index, rng, ctx) {
    const base = ctx.startTs + index * CLICK_STEP_MS;
    const block = Math.floor(base / CLICK_BLOCK_MS);
    let user = rng.int(ctx.keys);
    for (let attempt = 0; attempt < 16 && hashUnit(ctx.seed, user, block) >= CLICK_ACTIVE; attempt++) {
      user = rng.int(ctx.keys);
    }
    const page = PAGES[Math.floor(rng.float() ** 2 * PAGES.length)]!;
    return { userId: `u${user}`, page, ts: base - rng.int(2000) };
  },
};

const VOCABULARY = (
  "the stream of time flows and every window holds a pane with late data while " +
  "watermarks rise over keys events state checkpoint sink source river delta tide"
).split(" ");

/**
 * Text lines `{ line, ts }` of 3–12 words from a small fixed vocabulary with skewed (roughly
 * Zipf-like) frequencies, 100 ms of event time apart (up to 1 s out of order).
 */
const words: Generator = {
  name: "words",
  shape: "{ line, ts }",
  defaultKeys: VOCABULARY.length,
  make(index, rng, ctx) {
    const n = 3 + rng.int(10);
    const picked: string[] = [];
    for (let i = 0; i < n; i++) picked.push(VOCABULARY[Math.floor(rng.float() ** 3 * VOCABULARY.length)]!);
    return { line: picked.join(" "), ts: ctx.startTs + index * 100 - rng.int(1000) };
  },
};

/** Benchmark records `{ key, value, ts }`: `keys` keys, uniform values in [0, 1000), 1 ms apart, in order. */
const numbers: Generator = {
  name: "numbers",
  shape: "{ key, value, ts }",
  defaultKeys: 100,
  make(index, rng, ctx) {
    // Key names come from one shared table: the same strings every time, as a real source's
    // decoder would intern its dictionary, so hashing them is not repeated per event.
    return {
      key: numberKeys(ctx.keys)[rng.int(ctx.keys)],
      value: rng.float() * 1000,
      ts: ctx.startTs + index,
    };
  },
  makeColumns(first, stride, n, rng, ctx) {
    const indices = new Int32Array(n);
    const value = new Float64Array(n);
    const ts = new Float64Array(n);
    const { seed, keys, startTs } = ctx;
    for (let j = 0; j < n; j++) {
      const index = first + j * stride;
      rng.reseed(seed, index);
      indices[j] = rng.int(keys);
      value[j] = rng.float() * 1000;
      ts[j] = startTs + index;
    }
    return {
      key: { type: "dictionary", indices, dictionary: numberKeys(keys) },
      value: { type: "float64", values: value },
      ts: { type: "float64", values: ts },
    };
  },
};

const keyNames = new Map<number, readonly string[]>();

/** `["k0", …, "k{keys-1}"]`, shared by every columnar chunk of the `numbers` generator. */
function numberKeys(keys: number): readonly string[] {
  let names = keyNames.get(keys);
  if (names === undefined) {
    const made: string[] = new Array(keys);
    for (let k = 0; k < keys; k++) made[k] = `k${k}`;
    names = made;
    keyNames.set(keys, names);
  }
  return names;
}

/** Every built-in generator by name. */
export const GENERATORS: ReadonlyMap<string, Generator> = new Map(
  [fraud, clicks, words, numbers].map((g) => [g.name, g]),
);

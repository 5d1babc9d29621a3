import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSource, type SourceItem } from "../src/index.ts";
import { drain } from "./helpers.ts";

const opts = { recordSchema: {} };
const values = (items: SourceItem[]) => items.map((i) => (i.kind === "element" ? i.value : i));
type Rec = Record<string, unknown> & { ts: number };

async function readAll(uri: string): Promise<Rec[][]> {
  const source = createSource(uri, opts);
  const out: Rec[][] = [];
  for (let p = 0; p < (await source.partitions()); p++)
    out.push(values(await drain(await source.open(p, null))) as Rec[]);
  return out;
}

describe("generator source", () => {
  it.each(["fraud", "clicks", "words", "numbers"])(
    "%s: same seed and parameters give the same data",
    async (name) => {
      const a = await readAll(`generator:${name}?seed=5&count=500&partitions=3`);
      const b = await readAll(`generator:${name}?seed=5&count=500&partitions=3`);
      const c = await readAll(`generator:${name}?seed=6&count=500&partitions=3`);
      expect(a.flat()).toHaveLength(500);
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
    },
  );

  it("numbers offsets are per-partition sequence numbers and keys take exactly `keys` values", async () => {
    const source = createSource("generator:numbers?count=10000&keys=7&partitions=2", opts);
    const items = await drain(await source.open(1, null), 333);
    expect(items.map((i) => (i.kind === "element" ? i.offset : -1))).toEqual([...Array(5000).keys()]);
    expect(new Set(values(items).map((v) => (v as { key: string }).key)).size).toBe(7);
  });

  it("resuming at any position regenerates exactly the same tail", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("fraud", "clicks", "words", "numbers"),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(),
        fc.integer({ min: 1, max: 50 }),
        async (name, count, partitions, at, max) => {
          const source = createSource(
            `generator:${name}?seed=3&count=${count}&partitions=${partitions}`,
            opts,
          );
          const partition = at % partitions;
          const all = await drain(await source.open(partition, null), max);
          const k = all.length === 0 ? 0 : at % (all.length + 1);
          const reader = await source.open(partition, null);
          const head: SourceItem[] = [];
          while (head.length < k) head.push(...((await reader.read(k - head.length)) ?? []));
          const resumed = await drain(await source.open(partition, structuredClone(reader.position())), max);
          expect([...head, ...resumed]).toEqual(all);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("produces the same events whatever the number of partitions", async () => {
    const one = (await readAll("generator:fraud?seed=9&count=1000")).flat();
    const four = (await readAll("generator:fraud?seed=9&count=1000&partitions=4")).flat();
    const byId = (a: Rec, b: Rec) => String(a["txId"]).localeCompare(String(b["txId"]));
    expect([...four].sort(byId)).toEqual([...one].sort(byId));
  });

  it("fraud: disorder stays under 3 s and some customer spends over 10,000 in a 5-minute window", async () => {
    const [events] = await readAll("generator:fraud?seed=1&count=60000");
    let maxTs = Number.NEGATIVE_INFINITY;
    let disorder = 0;
    const spend = new Map<string, number>();
    for (const e of events!) {
      maxTs = Math.max(maxTs, e.ts);
      disorder = Math.max(disorder, maxTs - e.ts);
      const amount = e["amount"] as number;
      expect(Math.round(amount * 100) / 100).toBe(amount);
      const window = `${e["customerId"]}@${Math.floor(e.ts / 300_000)}`;
      spend.set(window, (spend.get(window) ?? 0) + amount);
    }
    expect(disorder).toBeGreaterThan(0);
    expect(disorder).toBeLessThan(3000);
    expect(Math.max(...spend.values())).toBeGreaterThan(10_000);
  });

  it("clicks: a user's clicks are separated by gaps both shorter and longer than 30 minutes", async () => {
    const [events] = await readAll("generator:clicks?seed=2&count=30000&keys=20");
    const byUser = new Map<string, number[]>();
    for (const e of events!)
      byUser.set(e["userId"] as string, [...(byUser.get(e["userId"] as string) ?? []), e.ts]);
    let short = 0;
    let long = 0;
    for (const ts of byUser.values()) {
      ts.sort((a, b) => a - b);
      for (let i = 1; i < ts.length; i++) {
        const gap = ts[i]! - ts[i - 1]!;
        if (gap > 5 * 60_000 && gap < 30 * 60_000) short++;
        if (gap > 30 * 60_000) long++;
      }
    }
    expect(short).toBeGreaterThan(10);
    expect(long).toBeGreaterThan(10);
  });

  it("words: lines of vocabulary words with skewed frequencies", async () => {
    const [events] = await readAll("generator:words?count=2000");
    const counts = new Map<string, number>();
    for (const e of events!)
      for (const w of (e["line"] as string).split(" ")) counts.set(w, (counts.get(w) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    expect(sorted[0]!).toBeGreaterThan(5 * sorted[sorted.length - 1]!);
  });

  it("honours the rate limit (loosely) and is unbounded without count", async () => {
    const start = performance.now();
    const items = await drain(await createSource("generator:numbers?count=40&rate=100", opts).open(0, null));
    expect(items).toHaveLength(40);
    expect(performance.now() - start).toBeGreaterThanOrEqual(300);

    const unbounded = createSource("generator:numbers?partitions=2", opts);
    expect(unbounded.bounded).toBe(false);
    const reader = await unbounded.open(0, null);
    expect(await reader.read(10_000)).toHaveLength(10_000);
    expect(reader.position()).toBe(10_000);
  });

  it("rejects unknown generators and bad parameters with the valid choices", () => {
    expect(() => createSource("generator:nope", opts)).toThrow(/fraud.*clicks.*words.*numbers/);
    expect(() => createSource("generator:fraud?count=-1", opts)).toThrow(/parameter count/);
    expect(() => createSource("generator:fraud?rate=fast", opts)).toThrow(/parameter rate.*greater than 0/);
    expect(() => createSource("generator:fraud?colour=red", opts)).toThrow(/valid parameters: seed, count/);
  });
});

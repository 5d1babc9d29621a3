import {
  clearMemory,
  collected,
  createSink,
  createSource,
  registerMemorySource,
  type Sink,
  type Source,
} from "@tributary/connectors";
import { MemoryStateBackend } from "@tributary/operators";
import { type BuiltPipeline, count, pipeline, sum, tumbling, type WindowResult } from "@tributary/sdk";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type EmbeddedRunOptions, runEmbedded, type Schedule } from "../src/index.ts";

const Tx = z.object({ customer: z.string(), amount: z.number(), ts: z.number().int() });
const WINDOW = 1000;
const windowNodeId = (built: BuiltPipeline) => built.ir.nodes.find((n) => n.kind === "windowAggregate")!.id;

function spendPipeline(maxOutOfOrderness: number) {
  return pipeline("spend", (p) => {
    p.source("tx", { schema: Tx })
      .withTimestamps((t) => t.ts, { maxOutOfOrderness })
      .keyBy((t) => t.customer)
      .window(tumbling(WINDOW))
      .aggregate({ spend: sum((t) => t.amount), n: count() })
      .sink("out");
    p.deadLetters().sink("dlq");
  }).build();
}

let runId = 0;
/** Runs `built` over in-memory partitions; returns what the sinks committed. */
async function runOn(
  built: BuiltPipeline,
  partitions: unknown[][],
  extra: Partial<EmbeddedRunOptions> = {},
  sinkNames: string[] = ["out", "dlq"],
) {
  const id = ++runId;
  registerMemorySource(`in-${id}`, partitions);
  const sources: Record<string, Source> = { tx: createSource(`memory:in-${id}`, { recordSchema: {} }) };
  const sinks: Record<string, Sink> = {};
  for (const s of sinkNames) sinks[s] = createSink(`memory:${s}-${id}`);
  const result = await runEmbedded(built, { sources, sinks, ...extra });
  const out = Object.fromEntries(sinkNames.map((s) => [s, collected(`${s}-${id}`)]));
  return { result, out };
}

/** Final view of accumulating window output: the last pane per key and window. */
function finalView(panes: unknown[]): Map<string, unknown> {
  const view = new Map<string, unknown>();
  for (const p of panes as WindowResult<string, unknown>[]) view.set(`${p.key}@${p.window.start}`, p.value);
  return view;
}

const txArb = fc.record({
  customer: fc.constantFrom("a", "b", "c", "d"),
  amount: fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
  ts: fc.integer({ min: -5000, max: 5000 }),
});
const partitionsArb = fc.array(fc.array(txArb, { maxLength: 40 }), { minLength: 1, maxLength: 4 });
const scheduleArb: fc.Arbitrary<Schedule> = fc.oneof(
  fc.constant({ kind: "round-robin" } as const),
  fc.integer({ min: 0, max: 2 ** 31 }).map((seed) => ({ kind: "random", seed }) as const),
);

afterEach(() => clearMemory());

describe("embedded runner", () => {
  it("computes per-key tumbling sums equal to a direct computation when nothing is late", async () => {
    // With an out-of-orderness bound larger than any disorder, no element is late, so the final
    // view must equal grouping all elements by (customer, window) directly.
    await fc.assert(
      fc.asyncProperty(
        partitionsArb,
        scheduleArb,
        fc.integer({ min: 1, max: 64 }),
        async (parts, schedule, batch) => {
          const { out } = await runOn(spendPipeline(20_000), parts, { schedule, batchSize: batch });
          const expected = new Map<string, { n: number; amounts: number[] }>();
          for (const t of parts.flat()) {
            const start = t.ts - (((t.ts % WINDOW) + WINDOW) % WINDOW);
            const k = `${t.customer}@${start}`;
            const e = expected.get(k) ?? { n: 0, amounts: [] };
            e.n++;
            e.amounts.push(t.amount);
            expected.set(k, e);
          }
          const view = finalView(out.out!);
          expect([...view.keys()].sort()).toEqual([...expected.keys()].sort());
          for (const [k, e] of expected) {
            const v = view.get(k) as { spend: number; n: number };
            expect(v.n).toBe(e.n);
            // Exactly rounded: the result is the same whatever the order, so compare with the
            // sum of the sorted amounts computed with BigInt-free float math only when exact.
            expect(Math.abs(v.spend - e.amounts.reduce((a, b) => a + b, 0))).toBeLessThanOrEqual(
              1e-6 * e.amounts.reduce((a, b) => a + Math.abs(b), 1),
            );
          }
          expect(out.dlq).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("gives byte-identical final views for every schedule and batch size, late data included", async () => {
    await fc.assert(
      fc.asyncProperty(
        partitionsArb,
        scheduleArb,
        scheduleArb,
        fc.integer({ min: 1, max: 50 }),
        async (parts, s1, s2, batch) => {
          const built = spendPipeline(300); // small bound: plenty of late data
          const a = await runOn(built, parts, { schedule: s1, batchSize: batch });
          const b = await runOn(built, parts, { schedule: s2, batchSize: 1024 });
          const view = (o: unknown[]) =>
            JSON.stringify([...finalView(o)].sort(([x], [y]) => (x < y ? -1 : 1)));
          expect(view(a.out.out!)).toBe(view(b.out.out!));
          const w = windowNodeId(built);
          expect(a.result.counters[w]!.droppedLate).toBe(b.result.counters[w]!.droppedLate);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("resumes after a crash at any checkpoint with the same committed output as an uninterrupted run", async () => {
    await fc.assert(
      fc.asyncProperty(partitionsArb, fc.integer({ min: 1, max: 8 }), async (parts, crashAt) => {
        const built = spendPipeline(300);
        const opts = { batchSize: 3, checkpoints: { everyBatches: 2 } } as const;
        const clean = await runOn(built, parts, opts);

        const id = ++runId;
        registerMemorySource(`crash-${id}`, parts);
        const state = new MemoryStateBackend();
        const bind = () => ({
          sources: { tx: createSource(`memory:crash-${id}`, { recordSchema: {} }) },
          sinks: { out: createSink(`memory:out-crash-${id}`), dlq: createSink(`memory:dlq-crash-${id}`) },
          state,
          ...opts,
        });
        let crashed = false;
        try {
          await runEmbedded(built, {
            ...bind(),
            onCheckpoint: (cp) => {
              if (cp === crashAt) {
                crashed = true;
                throw new Error("simulated crash");
              }
            },
          });
        } catch (e) {
          expect((e as Error).message).toBe("simulated crash");
        }
        const resumed = await runEmbedded(built, bind());
        if (crashed) expect(resumed.restoredFrom).toBe(crashAt);
        const view = (o: unknown[]) => JSON.stringify([...finalView(o)].sort(([x], [y]) => (x < y ? -1 : 1)));
        expect(view(collected(`out-crash-${id}`))).toBe(view(clean.out.out!));
        // Counters are part of the checkpoint: the resumed job counts every element once.
        expect(resumed.recordsIn).toBe(parts.flat().length);
      }),
      { numRuns: 40 },
    );
  });

  it("accounts for every element: output, dropped late, or dead-lettered with its identity", async () => {
    const parts = [
      [
        { customer: "a", amount: 1, ts: 100 },
        "not an object",
        { customer: "a", amount: 2, ts: 5000 },
        { customer: "a", amount: 3, ts: 50 }, // late: its window [0, 1000) ended before w = 4700
        { customer: "b", amount: 4, ts: 1.5 }, // not an integer timestamp: schema violation
      ],
    ];
    const built = spendPipeline(300);
    const { result, out } = await runOn(built, parts);
    const dlq = out.dlq as { id: unknown[]; reason: string; message: string }[];
    expect(dlq.map((d) => [d.id, d.reason])).toEqual([
      [["tx", 0, 1], "schema-violation"],
      [["tx", 0, 4], "schema-violation"],
    ]);
    const c = result.counters;
    expect(c["source:tx"]).toMatchObject({ in: 5, out: 3, deadLettered: 2 });
    expect(c[windowNodeId(built)]).toMatchObject({ in: 3, droppedLate: 1 });
    expect(result.recordsIn).toBe(5);
    expect(result.deadLetters).toBe(2);
  });

  it("stops the job naming the element when a user function throws and onError is fail", async () => {
    const built = pipeline("boom", (p) => {
      p.source("tx", { schema: Tx })
        .withTimestamps((t) => t.ts)
        .map((t) => {
          if (t.amount < 0) throw new Error("negative amount");
          return t;
        })
        .sink("out");
    }).build();
    await expect(
      runOn(
        built,
        [
          [
            { customer: "a", amount: 1, ts: 1 },
            { customer: "a", amount: -1, ts: 2 },
          ],
        ],
        {},
        ["out"],
      ),
    ).rejects.toThrow(/negative amount[\s\S]*tx|tx[\s\S]*negative amount/);
  });

  it("routes throwing elements to the dead-letter output with onError dead-letter, and keeps going", async () => {
    const built = pipeline(
      "dl",
      (p) => {
        p.source("tx", { schema: Tx })
          .withTimestamps((t) => t.ts)
          .map((t) => {
            if (t.amount < 0) throw new Error("negative amount");
            return t.amount;
          })
          .sink("out");
        p.deadLetters().sink("dlq");
      },
      { onError: "dead-letter" },
    ).build();
    const { out, result } = await runOn(built, [
      [
        { customer: "a", amount: 1, ts: 1 },
        { customer: "a", amount: -1, ts: 2 },
        { customer: "a", amount: 3, ts: 3 },
      ],
    ]);
    expect(out.out).toEqual([1, 3]);
    expect((out.dlq as { id: unknown; reason: string }[]).map((d) => [d.id, d.reason])).toEqual([
      [["tx", 0, 1], "user-function-threw"],
    ]);
    expect(result.deadLetters).toBe(1);
  });

  it("chains stateless operators in place only where records are not shared (fan-out keeps its own records)", async () => {
    type E = { v: number; ts: number };
    const built = pipeline("chain", (p) => {
      const s = p.source<E>("tx").withTimestamps((e) => e.ts);
      // Two consumers of one stream: neither may see the other's rewrite.
      s.map((e) => ({ v: e.v * 10, ts: e.ts }))
        .filter((e) => e.v !== 20)
        .sink("out");
      s.map((e) => ({ v: e.v + 1, ts: e.ts })).sink("dlq");
    }).build();
    const input = [1, 2, 3].map((v) => ({ v, ts: v }));
    const { result, out } = await runOn(built, [input]);
    expect(out.out).toEqual([
      { v: 10, ts: 1 },
      { v: 30, ts: 3 },
    ]);
    expect(out.dlq).toEqual([
      { v: 2, ts: 1 },
      { v: 3, ts: 2 },
      { v: 4, ts: 3 },
    ]);
    const filter = built.ir.nodes.find((n) => n.kind === "filter")!.id;
    expect(result.counters[filter]).toMatchObject({ in: 3, out: 2, filtered: 1 });
  });

  it("names the missing binding and the fix", async () => {
    const built = spendPipeline(0);
    await expect(runEmbedded(built, { sources: {}, sinks: {} })).rejects.toThrow(/--source tx=URI/);
  });
});

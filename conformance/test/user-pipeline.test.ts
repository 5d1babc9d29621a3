import { combine, count, pipeline, tumbling } from "@tributary/sdk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildPipeline,
  checkCombineLaws,
  checkUserPipeline,
  embeddedRunner,
  perturb,
  renderInput,
} from "../src/index.ts";
import { simpleSpec } from "./helpers.ts";

describe("checks of a user's pipeline", () => {
  it("perturbations keep every line exactly once", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string(), { maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        fc.option(fc.integer({ min: 1, max: 1000 })),
        fc.option(
          fc.record({ partitions: fc.integer({ min: 1, max: 8 }), seed: fc.integer({ min: 1, max: 99 }) }),
        ),
        (partitions, shuffleSeed, repartition) => {
          const out = perturb(partitions, { shuffleSeed, repartition });
          expect(out.flat().sort()).toEqual(partitions.flat().sort());
          if (repartition !== null) expect(out.length).toBe(repartition.partitions);
        },
      ),
    );
  });

  it("lawful combiners pass the law check; a non-commutative one fails with an example", () => {
    const spec = simpleSpec({
      aggregate: { shape: "single", aggregation: { kind: "combine", combiner: "sum and count" } },
    });
    const input = renderInput({
      a: [
        {
          start: 0,
          ordered: true,
          lines: [1, 2, 3].map((v) => ({ kind: "record" as const, k: 1, v, dt: 1 })),
        },
      ],
    });
    expect(checkCombineLaws(buildPipeline(spec), input, { runs: 50, seed: 1 })).toEqual([]);

    const concat = pipeline("concat", (p) => {
      p.source<{ v: number; t: number }>("a")
        .withTimestamps((e) => e.t)
        .window(tumbling(10))
        .aggregate({
          n: count(),
          digits: combine({
            create: () => "",
            add: (acc: string, e: { v: number }) => acc + String(e.v),
            merge: (a: string, b: string) => a + b,
            extract: (acc: string) => acc,
          }),
        })
        .sink("out");
    }).build();
    const violations = checkCombineLaws(concat, input, { runs: 50, seed: 1 });
    expect(violations.map((v) => [v.field, v.law])).toEqual([
      ["digits", "merge is commutative"],
      ["digits", "add order does not matter"],
    ]);
    expect(violations[0]!.example).toMatch(/extract\(merge\(A, B\)\) = "\d+"/);
  });

  it("a conforming pipeline passes on the embedded runner over perturbations of its input", async () => {
    const built = buildPipeline(simpleSpec({}, 5));
    const input = renderInput({
      a: [
        {
          start: 0,
          ordered: true,
          lines: [3, 1, 4, 1, 5].map((v) => ({ kind: "record" as const, k: v % 2, v, dt: v - 2 })),
        },
      ],
    });
    const rows = await checkUserPipeline(built, input, {
      runners: [embeddedRunner({ batchSize: 3 })],
      runs: 30,
      seed: 4,
    });
    expect(rows.map((r) => r.failure)).toEqual([undefined]);
  });
});

/**
 * The conformance suite against the micro-batch runner, in CI: every property × every
 * configuration of {@link MICROBATCH_MATRIX} (trigger availableNow, batch sizes 1, 7, 1000 and
 * 65536 rows), 100 generated cases each from a fixed seed (400 per property over the matrix),
 * each cell its own named test; the table is printed at the end. Runtime on 2 cores: about
 * 40–75 s, most of it at batch size 1 (one committed micro-batch per input line);
 * `tributary conformance --runners microbatch --runs 10000` is the long run.
 *
 * The runner emits no early panes (SEMANTICS.md §5 allows it) and declares so; the pane
 * invariants then hold it to one pane per window with L = 0 even when a window has an early
 * trigger. The last tests show that this check is not vacuous.
 *
 * A failure prints the shrunk counterexample as a ready-to-paste test. Fix the runner, not the suite.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildPipeline,
  embeddedRunner,
  MICROBATCH_MATRIX,
  microBatchRunner,
  paneInvariantsProperty,
  renderInput,
  type Sample,
  sampleArb,
} from "../src/index.ts";
import { simpleSpec } from "./helpers.ts";
import { CI_SEED, describeMatrix } from "./matrix.ts";

const RUNS = 100;

describeMatrix("conformance: micro-batch runner matrix", MICROBATCH_MATRIX, RUNS);

describe("pane invariants for a runner without early panes", () => {
  // One key, a 10 ms window, an early pane every element, L = 0: three elements in [0, 10).
  const sample: Sample = {
    spec: simpleSpec({ early: { everyElements: 1 } }),
    input: {
      a: [
        {
          start: 0,
          ordered: true,
          lines: [
            { kind: "record", k: 1, v: 1, dt: 1 },
            { kind: "record", k: 1, v: 2, dt: 1 },
            { kind: "record", k: 1, v: 3, dt: 1 },
            { kind: "record", k: 1, v: 4, dt: 20 },
          ],
        },
      ],
    },
    plan: { parallelism: 1, batchSize: 1, interleavingSeed: 0 },
  };

  it("the sample does produce early panes on a runner that emits them", async () => {
    const runner = embeddedRunner({ schedule: "round-robin", batchSize: 1 });
    const out = await runner.run(buildPipeline(sample.spec), renderInput(sample.input), sample.plan);
    const timings = (out.sinks["windows"] as { pane: { timing: string } }[]).map((r) => r.pane.timing);
    expect(timings).toContain("early");
  });

  it("a runner that emits early panes but declares none fails the pane invariants", async () => {
    const liar = { ...embeddedRunner({ schedule: "round-robin", batchSize: 1 }), emitsEarlyPanes: false };
    await expect(paneInvariantsProperty.check(liar, sample)).rejects.toThrow(
      /early pane from a runner that declares it emits none/,
    );
  });

  it("the micro-batch runner passes them on the same sample at every batch size", async () => {
    for (const runner of MICROBATCH_MATRIX) await paneInvariantsProperty.check(runner, sample);
    await paneInvariantsProperty.check(microBatchRunner(), sample);
  });

  it("the generated cases include windows with early triggers (so the matrix checks them too)", () => {
    const samples = fc.sample(sampleArb, { numRuns: RUNS, seed: CI_SEED });
    const withEarly = samples.filter((s) => s.spec.window.early !== null);
    const withEarlyAndL0 = withEarly.filter((s) => s.spec.window.allowedLatenessMs === 0);
    console.log(
      `${withEarly.length} of ${RUNS} generated pipelines have an early trigger, ${withEarlyAndL0.length} of them with L = 0`,
    );
    expect(withEarlyAndL0.length).toBeGreaterThan(0);
  });
});

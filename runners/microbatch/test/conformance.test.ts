import {
  ALL_PROPERTIES,
  buildPipeline,
  canonicalFinalView,
  embeddedRunner,
  finalViewOf,
  finalViewProperty,
  LinesSource,
  type RunnerUnderTest,
  renderInput,
  type Sample,
  sampleArb,
} from "@tributary/conformance";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { microBatchRunner } from "../src/index.ts";

const linesSource = (name: string, partitions: string[][]) => new LinesSource(name, partitions);
const RUNS = Number(process.env["MB_CONFORMANCE_RUNS"] ?? 25);
const embedded = embeddedRunner({ schedule: "round-robin", batchSize: 64 });

async function outcome(runner: RunnerUnderTest, sample: Sample): Promise<string> {
  const built = buildPipeline(sample.spec);
  try {
    const out = await runner.run(built, renderInput(sample.input), sample.plan);
    return canonicalFinalView(finalViewOf(built, out.sinks));
  } catch (e) {
    return `failed: ${(e as Error).name}`;
  }
}

/** The micro-batch runner's final view equals the embedded runner's (or both fail). */
async function sameAsEmbedded(runner: RunnerUnderTest, sample: Sample): Promise<void> {
  expect(await outcome(runner, sample)).toBe(await outcome(embedded, sample));
}

const otherProperties = ALL_PROPERTIES.filter((p) => p !== finalViewProperty);

describe.each([1, 7, 1000, 65536])("micro-batch runner, batch size %i", (batchSize) => {
  const runner = microBatchRunner({ batchSize, linesSource }) as RunnerUnderTest;
  const runs = batchSize === 1 ? Math.ceil(RUNS / 2) : RUNS;
  it("final view = embedded runner's", async () => {
    await fc.assert(
      fc.asyncProperty(sampleArb, (s) => sameAsEmbedded(runner, s)),
      { numRuns: runs, seed: 7 + batchSize },
    );
  });
  for (const property of otherProperties) {
    it(property.name, async () => {
      await fc.assert(
        fc.asyncProperty(sampleArb, (s) => property.check(runner, s)),
        { numRuns: runs, seed: 4242 + batchSize },
      );
    });
  }
});

describe("micro-batch runner with crashes and replays from the checkpoint directory", () => {
  const runner = microBatchRunner({ batchSize: 7, crashes: true, linesSource }) as RunnerUnderTest;
  it("final view = embedded runner's", async () => {
    await fc.assert(
      fc.asyncProperty(sampleArb, (s) => sameAsEmbedded(runner, s)),
      { numRuns: RUNS, seed: 99 },
    );
  });
});

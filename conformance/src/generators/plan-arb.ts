import fc from "fast-check";
import type { ExecutionPlan } from "../runner.ts";

/** Execution plans: parallelism 1–8, batch sizes, interleaving seeds, optional crash points. */
export const executionPlanArb: fc.Arbitrary<ExecutionPlan> = fc.record(
  {
    parallelism: fc.integer({ min: 1, max: 8 }),
    batchSize: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 64 })),
    interleavingSeed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    crashAfterCheckpoints: fc
      .uniqueArray(fc.integer({ min: 1, max: 10 }), { maxLength: 3 })
      .map((a) => a.sort((x, y) => x - y)),
  },
  { requiredKeys: ["parallelism", "batchSize", "interleavingSeed"] },
);

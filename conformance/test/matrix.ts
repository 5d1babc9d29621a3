import { afterAll, describe, expect, it } from "vitest";
import {
  ALL_PROPERTIES,
  type ConformanceRow,
  formatConformanceTable,
  type RunnerUnderTest,
  runConformance,
} from "../src/index.ts";

/** The seed of the CI matrices: fixed, so a failure reproduces. */
export const CI_SEED = 20_261_124;

/**
 * One named test per runner configuration × property, `runs` generated cases each from
 * {@link CI_SEED}; the table runner × property is printed after the file's tests.
 */
export function describeMatrix(title: string, matrix: readonly RunnerUnderTest[], runs: number): void {
  const rows: ConformanceRow[] = [];
  afterAll(() => {
    if (rows.length > 0) console.log(`\n${formatConformanceTable(rows)}\n`);
  });
  describe(title, () => {
    for (const runner of matrix) {
      for (const property of ALL_PROPERTIES) {
        it(`${runner.name} › ${property.name}`, async () => {
          const [row] = await runConformance({
            runners: [runner],
            properties: [property],
            runs,
            seed: CI_SEED,
          });
          rows.push(row!);
          expect(row!.runs).toBe(runs);
          if (!row!.passed) expect.fail(`${runner.name} / ${property.name} failed:\n${row!.failure}`);
        });
      }
    }
  });
}

/**
 * The conformance suite against the embedded runner, in CI: every property × every
 * configuration of {@link EMBEDDED_MATRIX}, 500 generated cases each from a fixed seed, each
 * cell its own named test; the table is printed at the end. Runtime on 2 cores: about 25 s
 * (20 cells × 500 cases at 1–4 ms per case); `pnpm conformance:long` runs 10,000 per cell.
 *
 * A failure prints the shrunk counterexample as a ready-to-paste test. Fix the runner, not the suite.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  ALL_PROPERTIES,
  type ConformanceRow,
  EMBEDDED_MATRIX,
  formatConformanceTable,
  runConformance,
} from "../src/index.ts";

const SEED = 20_261_124;
const RUNS = 500;
const rows: ConformanceRow[] = [];

afterAll(() => {
  console.log(`\n${formatConformanceTable(rows)}\n`);
});

describe("conformance: embedded runner matrix", () => {
  for (const runner of EMBEDDED_MATRIX) {
    for (const property of ALL_PROPERTIES) {
      it(`${runner.name} › ${property.name}`, async () => {
        const [row] = await runConformance({
          runners: [runner],
          properties: [property],
          runs: RUNS,
          seed: SEED,
        });
        rows.push(row!);
        expect(row!.runs).toBe(RUNS);
        if (!row!.passed) expect.fail(`${runner.name} / ${property.name} failed:\n${row!.failure}`);
      });
    }
  }
});

/**
 * The conformance suite against the embedded runner, in CI: every property × every
 * configuration of {@link EMBEDDED_MATRIX}, 500 generated cases each from a fixed seed, each
 * cell its own named test; the table is printed at the end. Runtime on 2 cores: about 25 s
 * (20 cells × 500 cases at 1–4 ms per case); `pnpm conformance:long` runs 10,000 per cell.
 *
 * A failure prints the shrunk counterexample as a ready-to-paste test. Fix the runner, not the suite.
 */
import { EMBEDDED_MATRIX } from "../src/index.ts";
import { describeMatrix } from "./matrix.ts";

describeMatrix("conformance: embedded runner matrix", EMBEDDED_MATRIX, 500);

/** The runners the conformance suite knows, by name (for `tributary conformance --runners`). */
import type { RunnerUnderTest } from "../runner.ts";
import { EMBEDDED_MATRIX, embeddedRunner } from "./embedded.ts";
import { MICROBATCH_MATRIX, microBatchRunner } from "./microbatch.ts";

/**
 * Runner names → the configurations they stand for. `embedded` and `microbatch` are each runner's
 * whole matrix; `all` is both.
 */
export const RUNNERS: Readonly<Record<string, readonly RunnerUnderTest[]>> = {
  embedded: EMBEDDED_MATRIX,
  "embedded-rr1": [EMBEDDED_MATRIX[0]!],
  "embedded-b7": [EMBEDDED_MATRIX[1]!],
  "embedded-b1000": [EMBEDDED_MATRIX[2]!],
  "embedded-cp3": [EMBEDDED_MATRIX[3]!],
  "embedded-plan": [embeddedRunner({ name: "embedded[random, batch plan]" })],
  microbatch: MICROBATCH_MATRIX,
  "microbatch-b1": [MICROBATCH_MATRIX[0]!],
  "microbatch-b7": [MICROBATCH_MATRIX[1]!],
  "microbatch-b1000": [MICROBATCH_MATRIX[2]!],
  "microbatch-b65536": [MICROBATCH_MATRIX[3]!],
  "microbatch-plan": [microBatchRunner()],
  all: [...EMBEDDED_MATRIX, ...MICROBATCH_MATRIX],
};

/** The runners named in `names` (comma lists allowed), without duplicates; throws on an unknown name. */
export function selectRunners(names: readonly string[]): RunnerUnderTest[] {
  const out: RunnerUnderTest[] = [];
  for (const name of names
    .flatMap((n) => n.split(","))
    .map((n) => n.trim())
    .filter((n) => n !== "")) {
    const runners = RUNNERS[name];
    if (runners === undefined)
      throw new RangeError(`unknown runner "${name}"; the runners are: ${Object.keys(RUNNERS).join(", ")}`);
    for (const r of runners) if (!out.includes(r)) out.push(r);
  }
  return out;
}

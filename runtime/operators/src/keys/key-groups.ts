/**
 * Key groups (SEMANTICS.md §7): key → key group by a stable hash, key group → task by Flink's
 * range formula. State is stored per key group, so a job can restore at another parallelism.
 */
import { murmur3x86_32OfString } from "./murmur3.ts";

/** The number of key groups when a pipeline does not set `maxParallelism`. */
export const DEFAULT_MAX_PARALLELISM = 128;

/**
 * The key group of a key, from its canonical encoding (see {@link canonicalKey}).
 *
 * The hash is MurmurHash3 x86 32-bit, seed 0, of the encoding's UTF-8 bytes, read as a signed
 * 32-bit integer and reduced with a floored modulo. In Java:
 * `Math.floorMod(Hashing.murmur3_32_fixed().hashString(keyEnc, UTF_8).asInt(), maxParallelism)`.
 *
 * @example
 * keyGroupOf(canonicalKey("user-42"), 128); // a number in [0, 128), the same on every machine
 */
export function keyGroupOf(keyEnc: string, maxParallelism: number): number {
  checkMaxParallelism(maxParallelism);
  const hash = murmur3x86_32OfString(keyEnc) | 0;
  const r = hash % maxParallelism;
  // `| 0` turns the -0 of a negative multiple of maxParallelism into 0.
  return r < 0 ? r + maxParallelism : r | 0;
}

/**
 * The task (0-based operator instance) that owns `keyGroup` when `parallelism` tasks share
 * `maxParallelism` key groups: `floor(keyGroup * parallelism / maxParallelism)` (Flink's formula).
 * Each task owns one contiguous range of key groups; see {@link keyGroupRangeOf}.
 */
export function taskOf(keyGroup: number, parallelism: number, maxParallelism: number): number {
  checkMaxParallelism(maxParallelism);
  checkParallelism(parallelism, maxParallelism);
  if (!Number.isInteger(keyGroup) || keyGroup < 0 || keyGroup >= maxParallelism) {
    throw new RangeError(
      `keyGroup ${keyGroup} is out of range: key groups are integers in [0, ${maxParallelism}) for maxParallelism ${maxParallelism}.`,
    );
  }
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/**
 * The half-open range `[start, end)` of key groups that {@link taskOf} assigns to `task`.
 * Ranges of consecutive tasks are adjacent and together cover `[0, maxParallelism)`.
 */
export function keyGroupRangeOf(
  task: number,
  parallelism: number,
  maxParallelism: number,
): { readonly start: number; readonly end: number } {
  checkMaxParallelism(maxParallelism);
  checkParallelism(parallelism, maxParallelism);
  if (!Number.isInteger(task) || task < 0 || task >= parallelism) {
    throw new RangeError(`task ${task} is out of range: tasks are integers in [0, ${parallelism}).`);
  }
  // Smallest g with floor(g * p / m) >= t is ceil(t * m / p).
  const start = Math.ceil((task * maxParallelism) / parallelism);
  const end = Math.ceil(((task + 1) * maxParallelism) / parallelism);
  return { start, end };
}

function checkMaxParallelism(maxParallelism: number): void {
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > 32768) {
    throw new RangeError(
      `maxParallelism ${maxParallelism} is invalid: use an integer in [1, 32768] (default ${DEFAULT_MAX_PARALLELISM}).`,
    );
  }
}

function checkParallelism(parallelism: number, maxParallelism: number): void {
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > maxParallelism) {
    throw new RangeError(
      `parallelism ${parallelism} is invalid: use an integer in [1, maxParallelism = ${maxParallelism}].`,
    );
  }
}

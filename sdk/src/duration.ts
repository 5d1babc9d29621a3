import ms from "ms";
import { TributaryError } from "./errors.ts";

/**
 * A span of time: a number of milliseconds, or a string such as `"500ms"`, `"5s"`, `"5m"`,
 * `"1h"`, `"1d"` (any format the `ms` package reads that denotes a whole number of milliseconds).
 */
export type Duration = number | string;

const UNITS: readonly (readonly [string, number])[] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
];

function notADuration(value: unknown, field: string, why: string): TributaryError {
  const shown = typeof value === "string" ? JSON.stringify(value) : String(value);
  const hint = 'use a number of milliseconds or a string like "5s", "5m", "1h"';
  return new TributaryError("invalid-argument", `${field}: ${shown} ${why}; ${hint}`, { field, hint });
}

/**
 * Reads a {@link Duration} as a non-negative safe integer number of milliseconds.
 *
 * @param field - what the duration is for, named in the error (e.g. `"window size"`).
 * @throws TributaryError naming the field, the bad value and the fix.
 * @example
 * ```ts
 * parseDuration("5m", "window size"); // 300000
 * parseDuration(250, "gap");          // 250
 * ```
 */
export function parseDuration(d: Duration, field: string): number {
  let value: number | undefined;
  if (typeof d === "number") {
    value = d;
  } else if (typeof d === "string") {
    try {
      value = ms(d.trim() as ms.StringValue);
    } catch {
      value = undefined;
    }
    if (value === undefined || Number.isNaN(value)) throw notADuration(d, field, "is not a duration");
  } else {
    throw notADuration(d, field, "is not a duration");
  }
  if (!Number.isFinite(value)) throw notADuration(d, field, "is not a finite duration");
  if (value < 0) throw notADuration(d, field, "is negative");
  if (!Number.isSafeInteger(value)) throw notADuration(d, field, "is not a whole number of milliseconds");
  return value;
}

/**
 * Formats milliseconds exactly, in the largest unit that divides them: `300000` → `"5m"`,
 * `90000` → `"90s"`, `1500` → `"1500ms"`, `0` → `"0"`. {@link parseDuration} reads the result back unchanged.
 */
export function formatDuration(milliseconds: number): string {
  if (milliseconds === 0) return "0";
  if (milliseconds > 0) {
    for (const [unit, size] of UNITS) {
      if (milliseconds % size === 0) return `${milliseconds / size}${unit}`;
    }
  }
  return `${milliseconds}ms`;
}

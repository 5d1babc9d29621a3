/**
 * Window assigners (SEMANTICS.md §3). Each returns the IR {@link WindowSpec} it stands for, with
 * durations already checked and converted to milliseconds.
 */
import { type Duration, parseDuration } from "../duration.ts";
import { TributaryError } from "../errors.ts";
import type { WindowSpec } from "../ir/schema.ts";

/** Options of fixed windows. */
export interface FixedWindowOptions {
  /** Shifts window starts: `start ≡ offset (mod size)` (tumbling) or `(mod slide)` (sliding). Default 0. */
  readonly offset?: Duration;
}

function positive(d: Duration, field: string, example: string): number {
  const value = parseDuration(d, field);
  if (value === 0) {
    const hint = `use a positive duration such as ${example}`;
    throw new TributaryError("invalid-argument", `${field}: must be greater than 0; ${hint}`, {
      field,
      hint,
    });
  }
  return value;
}

/**
 * Tumbling windows: consecutive, non-overlapping windows of `size`.
 *
 * @example
 * ```ts
 * keyed.window(tumbling("5m"))
 * keyed.window(tumbling("1d", { offset: "2h" })) // days starting at 02:00 UTC
 * ```
 */
export function tumbling(size: Duration, options: FixedWindowOptions = {}): WindowSpec {
  const sizeMs = positive(size, "tumbling window size", '"5m"');
  const offsetMs = parseDuration(options.offset ?? 0, "tumbling window offset");
  return { kind: "tumbling", sizeMs, offsetMs };
}

/**
 * Sliding windows of `size`, one starting every `slide`; an element belongs to `size / slide` windows.
 *
 * @example
 * ```ts
 * keyed.window(sliding("1h", "5m")) // hourly windows, every five minutes
 * ```
 */
export function sliding(size: Duration, slide: Duration, options: FixedWindowOptions = {}): WindowSpec {
  const sizeMs = positive(size, "sliding window size", '"1h"');
  const slideMs = positive(slide, "sliding window slide", '"5m"');
  const offsetMs = parseDuration(options.offset ?? 0, "sliding window offset");
  return { kind: "sliding", sizeMs, slideMs, offsetMs };
}

/**
 * Session windows: a key's elements less than `gap` apart (or exactly `gap`) form one session.
 *
 * @example
 * ```ts
 * users.keyBy((e) => e.userId).window(session("30m"))
 * ```
 */
export function session(gap: Duration): WindowSpec {
  return { kind: "session", gapMs: positive(gap, "session window gap", '"30m"') };
}

/** One window over all time; it fires on early triggers and at the end of bounded input. */
export function global(): WindowSpec {
  return { kind: "global" };
}

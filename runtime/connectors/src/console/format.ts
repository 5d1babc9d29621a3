/** Human-readable rendering of sink records for the console sink. */

/** Timestamps from 1973 to the end of the Date range are shown as ISO instants. */
const MIN_EPOCH_MS = 1e11;
const MAX_EPOCH_MS = 8.64e15;

const UNITS: readonly (readonly [string, number])[] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
  ["ms", 1],
];

/**
 * A compact duration: `300000` → `"5m"`, `5400000` → `"1h30m"`, `1500` → `"1s500ms"`,
 * `0` → `"0ms"`. Non-integers and negative values are shown as raw numbers with `ms`.
 */
export function formatCompactDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) return `${ms}ms`;
  if (ms === 0) return "0ms";
  let rest = ms;
  let out = "";
  for (const [unit, size] of UNITS) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

/** An instant: ISO 8601 when it looks like epoch milliseconds, the raw number otherwise. */
export function formatInstant(ms: number): string {
  return Number.isInteger(ms) && ms >= MIN_EPOCH_MS && ms <= MAX_EPOCH_MS
    ? new Date(ms).toISOString()
    : String(ms);
}

interface WindowResult {
  key: unknown;
  window: { start: number; end: number };
  value: unknown;
  pane: { index: number; timing: string; replaces?: unknown };
}

function isWindowResult(v: unknown): v is WindowResult {
  if (v === null || typeof v !== "object") return false;
  const r = v as Partial<WindowResult>;
  return (
    "key" in r &&
    "value" in r &&
    typeof r.window?.start === "number" &&
    typeof r.window.end === "number" &&
    typeof r.pane?.index === "number" &&
    typeof r.pane.timing === "string"
  );
}

function compactJson(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/**
 * One line for a sink record. Window results (`{ key, window, value, pane }`) read as
 * `KEY  [START, +SIZE)  TIMING#INDEX  VALUE`; anything else is compact JSON.
 *
 * @example
 * ```ts
 * formatRecord({ key: "c42", window: { start: 1704103200000, end: 1704103500000 },
 *   value: { spend: 12034.5, n: 3 }, pane: { index: 0, timing: "on_time" } });
 * // 'c42  [2024-01-01T10:00:00.000Z, +5m)  on_time#0  {"spend":12034.5,"n":3}'
 * ```
 */
export function formatRecord(value: unknown): string {
  if (!isWindowResult(value)) return compactJson(value);
  const { key, window, pane } = value;
  const shownKey = typeof key === "string" ? key : compactJson(key);
  const size = window.end - window.start;
  const end = Number.isFinite(size) ? `+${formatCompactDuration(size)}` : formatInstant(window.end);
  const replaces = Array.isArray(pane.replaces) ? `  (replaces ${pane.replaces.length})` : "";
  return `${shownKey}  [${formatInstant(window.start)}, ${end})  ${pane.timing}#${pane.index}${replaces}  ${compactJson(value.value)}`;
}

/** Readable differences between two final views (expected = reference, actual = runner). */
import { canonicalJson } from "./canonical/json.ts";
import type { FinalView, SinkFinalView } from "./final-view.ts";

/** One difference between two final views. */
export interface FinalViewDifference {
  sink: string;
  kind: "missing" | "unexpected" | "different";
  /** For window sinks: canonical key and window; for value sinks: the canonical value. */
  where: string;
  expected?: string;
  actual?: string;
}

/** The outcome of {@link diffFinalViews}. */
export interface FinalViewDiff {
  equal: boolean;
  differences: FinalViewDifference[];
}

function windowMap(view: SinkFinalView): Map<string, string> {
  const map = new Map<string, string>();
  if (view.kind !== "windows") return map;
  for (const e of view.entries) {
    map.set(
      `key ${canonicalJson(e.key)} window [${e.window.start}, ${e.window.end})`,
      canonicalJson(e.value),
    );
  }
  return map;
}

function multiset(view: SinkFinalView): Map<string, number> {
  const counts = new Map<string, number>();
  const items = view.kind === "values" ? view.values : view.entries;
  for (const v of items) {
    const c = canonicalJson(v);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  return counts;
}

function diffSink(sink: string, expected: SinkFinalView, actual: SinkFinalView): FinalViewDifference[] {
  const out: FinalViewDifference[] = [];
  if (expected.kind === "windows" && actual.kind === "windows") {
    const e = windowMap(expected);
    const a = windowMap(actual);
    for (const [where, ev] of e) {
      const av = a.get(where);
      if (av === undefined) out.push({ sink, kind: "missing", where, expected: ev });
      else if (av !== ev) out.push({ sink, kind: "different", where, expected: ev, actual: av });
    }
    for (const [where, av] of a) if (!e.has(where)) out.push({ sink, kind: "unexpected", where, actual: av });
    return out;
  }
  const e = multiset(expected);
  const a = multiset(actual);
  for (const [value, n] of e) {
    const m = a.get(value) ?? 0;
    if (m < n) out.push({ sink, kind: "missing", where: `${value}${n - m > 1 ? ` (x${n - m})` : ""}` });
  }
  for (const [value, m] of a) {
    const n = e.get(value) ?? 0;
    if (m > n) out.push({ sink, kind: "unexpected", where: `${value}${m - n > 1 ? ` (x${m - n})` : ""}` });
  }
  return out;
}

/** Compares two final views sink by sink: missing, unexpected and different entries. */
export function diffFinalViews(expected: FinalView, actual: FinalView): FinalViewDiff {
  const differences: FinalViewDifference[] = [];
  const empty: SinkFinalView = { kind: "values", values: [] };
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  for (const sink of names)
    differences.push(...diffSink(sink, expected[sink] ?? empty, actual[sink] ?? empty));
  return { equal: differences.length === 0, differences };
}

/** A human-readable rendering of a diff, one line per difference (at most `limit` lines). */
export function formatFinalViewDiff(diff: FinalViewDiff, limit = 40): string {
  if (diff.equal) return "final views are equal";
  const lines = diff.differences.slice(0, limit).map((d) => {
    const detail =
      d.kind === "different"
        ? `: expected ${d.expected}, got ${d.actual}`
        : d.expected !== undefined
          ? `: ${d.expected}`
          : d.actual !== undefined
            ? `: ${d.actual}`
            : "";
    return `  [${d.sink}] ${d.kind} ${d.where}${detail}`;
  });
  if (diff.differences.length > limit) lines.push(`  … and ${diff.differences.length - limit} more`);
  return `final views differ (${diff.differences.length} differences):\n${lines.join("\n")}`;
}

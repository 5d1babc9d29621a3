/** A direct reference model of windowed counts: what the final view must be, from the records alone. */
import type { WindowSpec } from "@tributary/sdk";
import type { StreamRecord } from "../../src/record.ts";
import {
  GLOBAL_WINDOW,
  mergeSessions,
  slidingWindows,
  tumblingStart,
  type WindowBounds,
} from "../../src/windows/assign.ts";
import { windowId } from "./helpers.ts";

/** The fixed windows (tumbling, sliding, global) a timestamp belongs to. */
function fixedWindows(ts: number, spec: WindowSpec): WindowBounds[] {
  if (spec.kind === "tumbling") {
    const start = tumblingStart(ts, spec.sizeMs, spec.offsetMs);
    return [{ start, end: start + spec.sizeMs }];
  }
  if (spec.kind === "sliding") return slidingWindows(ts, spec.sizeMs, spec.slideMs, spec.offsetMs);
  return [GLOBAL_WINDOW];
}

/** Expected final view of a keyed count: `"key|start|end" → count`, sorted by id. */
export function expectedCounts(
  records: readonly StreamRecord[],
  spec: WindowSpec,
  lateness: number,
): Map<string, number> {
  const counts = new Map<string, number>();
  const bump = (key: unknown, w: WindowBounds) => {
    const id = windowId(key, w);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  };
  if (spec.kind === "session") {
    const byKey = new Map<string, StreamRecord[]>();
    for (const r of records) {
      if (r.ts + lateness < r.w) continue;
      const list = byKey.get(r.keyEnc!) ?? [];
      list.push(r);
      byKey.set(r.keyEnc!, list);
    }
    for (const rs of byKey.values()) {
      const sessions = mergeSessions(rs.map((r) => ({ start: r.ts, end: r.ts + spec.gapMs })));
      for (const r of rs) bump(r.key, sessions.find((s) => s.start <= r.ts && r.ts < s.end)!);
    }
  } else {
    for (const r of records) {
      for (const w of fixedWindows(r.ts, spec)) if (!(w.end + lateness <= r.w)) bump(r.key, w);
    }
  }
  return new Map([...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** How many records are dropped from at least one window, and kept in at least one. */
export function expectedDropCounts(
  records: readonly StreamRecord[],
  spec: WindowSpec,
  lateness: number,
): { droppedLate: number; aggregated: number } {
  let droppedLate = 0;
  let aggregated = 0;
  for (const r of records) {
    const drops =
      spec.kind === "session"
        ? [r.ts + lateness < r.w]
        : fixedWindows(r.ts, spec).map((w) => w.end + lateness <= r.w);
    if (drops.some((d) => d)) droppedLate++;
    if (drops.some((d) => !d)) aggregated++;
  }
  return { droppedLate, aggregated };
}

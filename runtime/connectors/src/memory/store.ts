/**
 * Process-wide in-memory storage behind `memory:NAME`: registered sources, and per sink name
 * the committed values and the pre-committed transactions (which outlive a sink object, as a
 * file on disk outlives a crashed process).
 */

/** One step of a scripted partition (like Beam's TestStream). */
export type ScriptStep = { readonly element: unknown } | { readonly watermark: number };

/** A registered memory source: per partition, its steps. */
export interface MemorySourceData {
  readonly scripted: boolean;
  readonly partitions: readonly (readonly ScriptStep[])[];
}

/** What a memory sink name holds. */
export interface MemorySinkData {
  readonly committed: unknown[];
  /** Pre-committed, not yet visible transactions by id. */
  readonly staged: Map<string, readonly unknown[]>;
  readonly committedTxns: Set<string>;
}

export const memorySources = new Map<string, MemorySourceData>();
export const memorySinks = new Map<string, MemorySinkData>();

/** The data of sink `name`, created empty on first use. */
export function sinkData(name: string): MemorySinkData {
  let data = memorySinks.get(name);
  if (data === undefined) {
    data = { committed: [], staged: new Map(), committedTxns: new Set() };
    memorySinks.set(name, data);
  }
  return data;
}

/**
 * Registers `memory:NAME` as a bounded source with the given values per partition
 * (offset = index in the partition). Replaces an earlier registration of the name.
 *
 * @example
 * ```ts
 * registerMemorySource("tx", [[{ id: 1, ts: 0 }], [{ id: 2, ts: 5 }]]); // two partitions
 * // then bind it: --source transactions=memory:tx
 * ```
 */
export function registerMemorySource(name: string, partitions: readonly (readonly unknown[])[]): void {
  memorySources.set(name, {
    scripted: false,
    partitions: partitions.map((values) => values.map((element) => ({ element }))),
  });
}

/**
 * Registers `memory:NAME` as a scripted bounded source: per partition, a list of steps,
 * `{ element: value }` to emit an element or `{ watermark: ms }` to advance that partition's
 * watermark explicitly (emitted as a `watermark` item). Offsets number the elements only.
 *
 * @example
 * ```ts
 * registerScriptedSource("clicks", [[
 *   { element: { user: "a", ts: 1000 } },
 *   { watermark: 60_000 },
 *   { element: { user: "a", ts: 2000 } }, // late
 * ]]);
 * ```
 */
export function registerScriptedSource(name: string, script: readonly (readonly ScriptStep[])[]): void {
  for (const [p, steps] of script.entries()) {
    for (const [i, step] of steps.entries()) {
      if (!("element" in step) && !(typeof step.watermark === "number" && !Number.isNaN(step.watermark))) {
        throw new TypeError(
          `registerScriptedSource(${JSON.stringify(name)}): partition ${p} step ${i} must be { element: value } or { watermark: number }`,
        );
      }
    }
  }
  memorySources.set(name, { scripted: true, partitions: script.map((steps) => [...steps]) });
}

/** The values committed so far to the memory sink `name` (a copy; [] if nothing was). */
export function collected(name: string): unknown[] {
  return [...(memorySinks.get(name)?.committed ?? [])];
}

/** Forgets every memory source and sink (call between tests). */
export function clearMemory(): void {
  memorySources.clear();
  memorySinks.clear();
}

/**
 * The plug-in interface between the conformance suite and a runner under test.
 * A runner only has to implement {@link RunnerUnderTest}; everything else (inputs, plans,
 * expected results) is produced by the suite.
 */
import type { BuiltPipeline } from "@tributary/sdk";

/** Input: per source name, per partition, the raw JSON Lines (strings). Malformed lines are allowed. */
export type PartitionedInput = Record<string, string[][]>;

/** How a runner should execute one run. Final results must not depend on any of it. */
export interface ExecutionPlan {
  /** Number of parallel tasks (1–8 in generated plans). */
  parallelism: number;
  /** Records per transport batch / micro-batch. */
  batchSize: number;
  /** Seed for the runner's choice of which partition/channel to read next. */
  interleavingSeed: number;
  /** Crash (and restore from the last checkpoint) after these checkpoint numbers, if any. */
  crashAfterCheckpoints?: number[];
}

/** Per-node accounting (SEMANTICS.md §11). */
export interface NodeCounters {
  in: number;
  out: number;
  filtered: number;
  droppedLate: number;
  deadLettered: number;
}

/** What a runner hands back after a completed run. */
export interface RunOutput {
  /** Per sink name: the values the sink received, in order (window results are WindowResult objects). */
  sinks: Record<string, unknown[]>;
  /** Per node id: counters. */
  counters: Record<string, NodeCounters>;
}

/** A runner as the suite sees it. `run` rejects when the job fails (e.g. a user function throws with `onError: "fail"`). */
export interface RunnerUnderTest {
  name: string;
  /**
   * An expression that constructs this runner from @tributary/conformance's exports, e.g.
   * `embeddedRunner({"batchSize":7})`; counterexamples print it so they paste as is.
   */
  expression?: string;
  /**
   * Whether the runner may emit `early` panes when a window has an early trigger (default true).
   * SEMANTICS.md §5 lets a runner emit none; one that declares `false` is held to it by the pane
   * invariants (no early pane at all, and with `L = 0` exactly one pane per window even when an
   * early trigger is set), instead of passing the early-pane checks vacuously.
   */
  emitsEarlyPanes?: boolean;
  run(built: BuiltPipeline, input: PartitionedInput, plan: ExecutionPlan): Promise<RunOutput>;
}

/** Half-open window `[start, end)`. */
export interface WindowBounds {
  start: number;
  end: number;
}

/** Pane metadata of a window result (SEMANTICS.md §5). */
export interface PaneInfo {
  index: number;
  timing: "early" | "on_time" | "late";
  replaces?: WindowBounds[];
}

/** What a windowAggregate node emits for each pane. */
export interface WindowResult {
  key: unknown;
  window: WindowBounds;
  value: unknown;
  pane: PaneInfo;
}

/** Identity of an element (SEMANTICS.md §1): `[source, partition, offset, ...flatMap indices]`. */
export type Identity = readonly (string | number)[];

/** Machine-readable dead-letter reasons. */
export type DeadLetterReason =
  | "undecodable"
  | "schema-violation"
  | "bad-timestamp"
  | "undefined-key"
  | "user-function-threw";

/** A record of the dead-letter output. The suite compares `id`, `nodeId` and `reason` only. */
export interface DeadLetterRecord {
  id: Identity;
  nodeId: string;
  reason: DeadLetterReason;
  message: string;
  payload: unknown;
}

/** The global window of SEMANTICS.md §3. */
export const GLOBAL_WINDOW: Readonly<WindowBounds> = {
  start: Number.MIN_SAFE_INTEGER,
  end: Number.MAX_SAFE_INTEGER,
};

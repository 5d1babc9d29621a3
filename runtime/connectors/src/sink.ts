/**
 * The sink contract every runner writes through: two-phase commit bound to checkpoints
 * (SEMANTICS.md §10). A runner calls `write` freely, `preCommit(id)` while taking checkpoint
 * `id` (storing the returned token in the checkpoint), `commit(token)` once that checkpoint is
 * durable, and after a crash `recover(token of the last completed checkpoint)` on a fresh sink.
 *
 * Exactly-once sinks (file, memory) make output visible only on commit, so a consumer sees the
 * records written before the last completed checkpoint exactly once. At-least-once sinks
 * (console) write immediately and treat the commit protocol as no-ops.
 *
 * A sink instance owns its target: bind each target (directory, memory name) to one sink
 * instance at a time, since `recover` discards every uncommitted output it finds there.
 */
export interface Sink {
  /** For logs and errors, e.g. `"file:out/alerts (exactly-once)"`. */
  readonly description: string;
  /** Writes values (sink records are plain JSON values). May return a promise for backpressure: await it before writing more. */
  write(values: readonly unknown[]): void | Promise<void>;
  /**
   * Makes everything written so far durable but not yet visible, and returns what `commit`
   * needs (structured-clonable). Called while taking checkpoint `checkpointId` (increasing).
   * The token also covers earlier pre-committed output whose commit this sink has not seen.
   */
  preCommit(checkpointId: number): Promise<unknown>;
  /** Makes pre-committed output visible. Called after the checkpoint holding `token` is durable. Idempotent. */
  commit(token: unknown): Promise<void>;
  /**
   * After a restore, on a fresh sink: commits `token` (the last completed checkpoint's, or null)
   * again if needed, and discards anything written after it.
   */
  recover(token: unknown | null): Promise<void>;
  /** Flushes buffers and releases resources. Does NOT commit: output since the last commit stays invisible. */
  close(): Promise<void>;
}

/** Options for `createSink`. */
export interface SinkOptions {
  /** The logical sink name: prefix of console lines and named in error messages. */
  label?: string;
}

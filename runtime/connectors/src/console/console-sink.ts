import type { Sink } from "../sink.ts";
import { formatRecord } from "./format.ts";

/** Where console lines go: stdout, stderr, or any stream-like target (tests). */
export interface LineTarget {
  write(chunk: string): boolean;
  once(event: "drain", listener: () => void): unknown;
}

/**
 * An at-least-once sink that prints each record as one readable line ({@link formatRecord}),
 * prefixed by the label (the sink name) when there is one: `alerts | c42  [...]  on_time#0  {...}`.
 * Lines are written immediately, so after a crash and restore some lines appear again:
 * `preCommit`, `commit` and `recover` do nothing. `write` returns a promise when the stream's
 * buffer is full (backpressure).
 */
export class ConsoleSink implements Sink {
  readonly description: string;
  private readonly prefix: string;

  constructor(
    private readonly target: LineTarget,
    targetName: string,
    label?: string,
  ) {
    this.description = `console:${targetName} (at-least-once)`;
    this.prefix = label === undefined || label === "" ? "" : `${label} | `;
  }

  write(values: readonly unknown[]): void | Promise<void> {
    if (values.length === 0) return;
    let text = "";
    for (const v of values) text += `${this.prefix}${formatRecord(v)}\n`;
    if (!this.target.write(text)) {
      return new Promise((resolve) => this.target.once("drain", resolve));
    }
  }

  async preCommit(_checkpointId: number): Promise<null> {
    return null;
  }

  async commit(_token: unknown): Promise<void> {}

  async recover(_token: unknown | null): Promise<void> {}

  async close(): Promise<void> {}
}

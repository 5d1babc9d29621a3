import { ConnectorError } from "../errors.ts";
import type { Sink } from "../sink.ts";
import { type MemorySinkData, sinkData } from "./store.ts";

/** Commit token of a memory sink: the transactions to make visible, oldest first. */
export interface MemoryCommitToken {
  readonly txns: readonly string[];
}

let instances = 0;

/**
 * An exactly-once in-memory sink, read back with `collected(name)`. Values written are
 * buffered; `preCommit` stages them as a transaction in the process-wide store (it survives the
 * sink object, like a file survives a crash); `commit` appends staged transactions to the
 * visible values, once each; `recover` commits the token's transactions and discards every
 * other staged one.
 */
export class MemorySink implements Sink {
  readonly description: string;
  private readonly store: MemorySinkData;
  private readonly instance = ++instances;
  private buffer: unknown[] = [];
  /** Transactions this sink staged whose commit it has not seen yet. */
  private uncommitted: string[] = [];

  constructor(name: string) {
    this.description = `memory:${name} (exactly-once)`;
    this.store = sinkData(name);
  }

  write(values: readonly unknown[]): void {
    for (const v of values) this.buffer.push(v);
  }

  async preCommit(checkpointId: number): Promise<MemoryCommitToken> {
    if (this.buffer.length > 0) {
      const txn = `${checkpointId}/${this.instance}`;
      this.store.staged.set(txn, this.buffer);
      this.uncommitted.push(txn);
      this.buffer = [];
    }
    return { txns: [...this.uncommitted] };
  }

  async commit(token: unknown): Promise<void> {
    const txns = this.txnsOf(token);
    for (const txn of txns) {
      const values = this.store.staged.get(txn);
      if (values !== undefined && !this.store.committedTxns.has(txn)) {
        // One push per value: spreading a large commit into arguments overflows the stack.
        for (const v of values) this.store.committed.push(v);
        this.store.committedTxns.add(txn);
        this.store.staged.delete(txn);
      } else if (!this.store.committedTxns.has(txn)) {
        throw new ConnectorError(
          this.description,
          `transaction ${txn} is neither staged nor committed`,
          "Commit only tokens returned by preCommit of a sink with this name (was clearMemory() called in between?).",
        );
      }
    }
    this.uncommitted = this.uncommitted.filter((t) => !txns.includes(t));
  }

  async recover(token: unknown | null): Promise<void> {
    if (token !== null && token !== undefined) await this.commit(token);
    this.store.staged.clear();
    this.buffer = [];
    this.uncommitted = [];
  }

  async close(): Promise<void> {
    this.buffer = [];
  }

  private txnsOf(token: unknown): readonly string[] {
    const txns = (token as Partial<MemoryCommitToken> | null)?.txns;
    if (!Array.isArray(txns) || !txns.every((t) => typeof t === "string")) {
      throw new ConnectorError(
        this.description,
        `${JSON.stringify(token)} is not a memory sink commit token`,
        "Pass the value preCommit returned.",
      );
    }
    return txns;
  }
}

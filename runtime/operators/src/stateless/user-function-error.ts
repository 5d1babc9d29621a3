import type { FnRef, OnError } from "@tributary/sdk";
import type { Output } from "../operator.ts";
import type { Identity, StreamRecord } from "../record.ts";

/** What a failing user-function call needs to be reported: which node, which function. */
export interface UserFunctionSite {
  readonly nodeId: string;
  /** The node kind, for messages (`map`, `filter`, `windowAggregate`, ...). */
  readonly nodeKind: string;
  /** The function that threw, or null when it has no reference (e.g. a built-in aggregation). */
  readonly fn: FnRef | null;
  readonly onError: OnError;
}

/**
 * A user function threw while processing an element, and the node's `onError` is `"fail"`.
 * The message names the node, the function's call site, the element identity, the thrown
 * message and the fix.
 *
 * @example
 * ```ts
 * try { runner.run(); } catch (e) {
 *   if (e instanceof UserFunctionError) console.error(e.nodeId, e.elementId, e.cause);
 * }
 * ```
 */
export class UserFunctionError extends Error {
  override readonly name = "UserFunctionError";
  readonly nodeId: string;
  readonly elementId: Identity;
  readonly callSite: FnRef["callSite"];

  constructor(site: UserFunctionSite, elementId: Identity, cause: unknown) {
    super(
      `${describeCall(site)} threw for element ${formatIdentity(elementId)}: ${errorMessage(cause)}. ` +
        `Fix the function, or set onError: 'dead-letter' to route such elements to the dead-letter output.`,
      { cause },
    );
    this.nodeId = site.nodeId;
    this.elementId = elementId;
    this.callSite = site.fn?.callSite ?? null;
  }
}

/** `map node 'parse' (function at src/p.ts:12:5)` */
export function describeCall(site: UserFunctionSite): string {
  const cs = site.fn?.callSite;
  const where = cs ? ` (function at ${cs.file}:${cs.line}:${cs.column})` : "";
  return `${site.nodeKind} node '${site.nodeId}'${where}`;
}

/** Identities print as JSON arrays: `["orders",0,17]`. */
export function formatIdentity(id: Identity): string {
  return JSON.stringify(id);
}

/** The message of a thrown value, whatever was thrown. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  try {
    return String(e);
  } catch {
    return "(unprintable thrown value)";
  }
}

/**
 * Handle a user function that threw on `record`: throw a {@link UserFunctionError} (`onError:
 * "fail"`) or dead-letter the element with reason `user-function-threw` and count it.
 */
export function handleUserFunctionError(
  site: UserFunctionSite,
  record: StreamRecord,
  error: unknown,
  out: Output,
  counters: { deadLettered: number },
): void {
  if (site.onError === "fail") throw new UserFunctionError(site, record.id, error);
  counters.deadLettered++;
  out.deadLetter({
    id: record.id,
    nodeId: site.nodeId,
    reason: "user-function-threw",
    message:
      `${describeCall(site)} threw for element ${formatIdentity(record.id)}: ${errorMessage(error)}. ` +
      `The element was routed to the dead-letter output (onError: 'dead-letter'); fix the function to process it.`,
    payload: record.value,
  });
}

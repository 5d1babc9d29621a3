/**
 * What every runner does with an item read from a source partition before any user code runs
 * (SEMANTICS.md §1, §11): undecodable items and schema violations become dead letters with the
 * element's identity `[source, partition, offset]` and the reason; valid values go on.
 */
import type { DeadLetter, Identity } from "./record.ts";

/** A decoded value or a decode error, as sources report them (structurally the connectors' SourceItem). */
export type ReadItem =
  | { readonly kind: "element"; readonly offset: number; readonly value: unknown }
  | {
      readonly kind: "error";
      readonly offset: number;
      readonly reason: "undecodable";
      readonly message: string;
      readonly payload: unknown;
    };

/** The source's validator (from the user's schema): the parsed value or a readable error. */
export type SourceValidator = (
  raw: unknown,
) => { success: true; data: unknown } | { success: false; error: string };

/** Returned by {@link admitSourceItem} for an item that became a dead letter. */
export const REJECTED: unique symbol = Symbol("rejected");

/**
 * Admits one item: returns the value to process, or {@link REJECTED} after handing the dead letter
 * to `reject`. `id` is the element's identity `[source, partition, offset]`; `nodeId` the source
 * node. Allocates nothing for a valid item (it runs per record).
 *
 * @example
 * const value = admitSourceItem(id, "source:tx", item, validate, deadLetter);
 * if (value !== REJECTED) queue.push({ value, ts: 0, w: -Infinity, id });
 */
export function admitSourceItem(
  id: Identity,
  nodeId: string,
  item: ReadItem,
  validate: SourceValidator | null,
  reject: (letter: DeadLetter) => void,
): unknown {
  if (item.kind === "error") {
    reject({ id, nodeId, reason: item.reason, message: item.message, payload: item.payload });
    return REJECTED;
  }
  if (validate === null) return item.value;
  const result = validate(item.value);
  if (result.success) return result.data;
  reject({
    id,
    nodeId,
    reason: "schema-violation",
    message: `${id[0]} partition ${id[1]} offset ${id[2]}: ${result.error}`,
    payload: item.value,
  });
  return REJECTED;
}

import { ConnectorError } from "../errors.ts";

/**
 * Resume position in a file: the byte offset to continue reading at and the number of lines
 * before it (so line numbers, which are the offsets of file records, continue correctly).
 */
export interface FilePosition {
  readonly byte: number;
  readonly line: number;
}

/** The position at the start of a file. */
export const FILE_START: FilePosition = { byte: 0, line: 0 };

/**
 * Checks that a checkpointed position is a {@link FilePosition}.
 *
 * @throws ConnectorError naming the file when it is not.
 */
export function toFilePosition(position: unknown, file: string): FilePosition {
  if (position === null || position === undefined) return FILE_START;
  const p = position as Partial<FilePosition>;
  if (
    typeof position === "object" &&
    Number.isSafeInteger(p.byte) &&
    Number.isSafeInteger(p.line) &&
    p.byte! >= 0 &&
    p.line! >= 0
  ) {
    return { byte: p.byte!, line: p.line! };
  }
  throw new ConnectorError(
    `file source ${file}`,
    `cannot resume from position ${JSON.stringify(position)}: expected { byte, line } with non-negative integers`,
    "Restore from a checkpoint taken with the same source binding, or start without one.",
  );
}

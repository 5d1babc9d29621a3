import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { CallSite } from "./ir/schema.ts";

/** Directory of the SDK's sources: frames inside it are the SDK's own, not the user's. */
const SDK_SRC_DIR = dirname(fileURLToPath(import.meta.url));

/** `at name (file:line:col)` or `at file:line:col`; the file may be a `file://` URL. */
const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

function toPath(file: string): string {
  if (file.startsWith("file://")) {
    try {
      return fileURLToPath(file);
    } catch {
      return file;
    }
  }
  return file;
}

function isForeignFrame(file: string): boolean {
  return (
    file.startsWith(SDK_SRC_DIR) ||
    file.startsWith("node:") ||
    file.startsWith("internal/") ||
    file === "native" ||
    file.startsWith("<")
  );
}

/**
 * Where the user called into the SDK: the first stack frame outside the SDK's sources and
 * Node's internals, or null when there is none (e.g. stack traces disabled).
 */
export function captureCallSite(): CallSite | null {
  const previousLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = previousLimit;
  for (const line of stack.split("\n").slice(1)) {
    const match = FRAME.exec(line);
    if (!match) continue;
    const file = toPath(match[1]!.replace(/^async /, ""));
    if (isForeignFrame(file)) continue;
    const lineNo = Number(match[2]);
    const column = Number(match[3]);
    if (lineNo < 1 || column < 1) continue;
    return { file, line: lineNo, column };
  }
  return null;
}

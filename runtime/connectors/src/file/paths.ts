import { readdirSync, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConnectorError } from "../errors.ts";

/** How a file's records are encoded: JSON Lines, CSV, Arrow IPC file format, Arrow IPC stream format. */
export type FileFormat = "jsonl" | "csv" | "arrow" | "arrows";

const FORMATS: readonly FileFormat[] = ["jsonl", "csv", "arrow", "arrows"];

/** One file read as one partition. */
export interface FilePartition {
  /** Absolute path. */
  readonly path: string;
  /** The path as the user wrote it (plus the file name for directory members), for messages. */
  readonly display: string;
  readonly format: FileFormat;
}

const EXTENSIONS: Readonly<Record<string, FileFormat>> = {
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".json": "jsonl",
  ".csv": "csv",
  ".arrow": "arrow",
  ".feather": "arrow",
  ".arrows": "arrows",
};
const KNOWN = Object.keys(EXTENSIONS).join(", ");

/** Reads the `format` parameter: `jsonl`, `csv`, `arrow`, `arrows` or absent. */
export function parseFormat(value: string | undefined, field: string): FileFormat | undefined {
  if (value === undefined || (FORMATS as readonly string[]).includes(value))
    return value as FileFormat | undefined;
  throw new ConnectorError(
    `${field} parameter format`,
    `${JSON.stringify(value)} is not a known format`,
    "Use format=jsonl, format=csv, format=arrow (Arrow IPC file) or format=arrows (Arrow IPC stream).",
  );
}

/**
 * Resolves the body of a `file:` URI into partitions: a file (one partition), a directory (one
 * partition per file with a known extension, sorted by name; hidden files skipped) or a comma
 * list of either. Relative paths are resolved against the process's working directory.
 *
 * @throws ConnectorError for missing paths, empty directories and unknown extensions.
 */
export function resolveFilePartitions(
  body: string,
  format: FileFormat | undefined,
  field: string,
): FilePartition[] {
  const text = body.startsWith("//") ? fileURLToPath(`file:${body}`) : body;
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) {
    throw new ConnectorError(
      field,
      "the file: URI names no path",
      "Write file:PATH, e.g. file:data/tx.jsonl.",
    );
  }
  const out: FilePartition[] = [];
  for (const item of items) {
    const path = resolve(item);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) {
      throw new ConnectorError(
        field,
        `no such file or directory ${JSON.stringify(item)} (looked for ${path})`,
        `Check the path; relative paths are resolved against the working directory ${process.cwd()}.`,
      );
    }
    if (stat.isDirectory()) {
      const members = readdirSync(path, { withFileTypes: true })
        .filter((e) => e.isFile() && !e.name.startsWith("."))
        .map((e) => e.name)
        .filter((name) => {
          const byExtension = EXTENSIONS[extname(name).toLowerCase()];
          return byExtension !== undefined && (format === undefined || byExtension === format);
        })
        .sort();
      if (members.length === 0) {
        throw new ConnectorError(
          field,
          `directory ${JSON.stringify(item)} holds no ${format ?? "data"} files`,
          `Put files with the extensions ${format === undefined ? KNOWN : `of ${format}`} there, or name the files.`,
        );
      }
      for (const name of members) {
        out.push({
          path: join(path, name),
          display: join(item, name),
          format: format ?? formatOf(name, field),
        });
      }
    } else {
      out.push({ path, display: item, format: format ?? formatOf(item, field) });
    }
  }
  return out;
}

function formatOf(name: string, field: string): FileFormat {
  const format = EXTENSIONS[extname(name).toLowerCase()];
  if (format === undefined) {
    throw new ConnectorError(
      field,
      `cannot tell the format of ${JSON.stringify(name)} from its extension`,
      `Add ?format=jsonl, ?format=csv, ?format=arrow or ?format=arrows, or use one of the extensions ${KNOWN}.`,
    );
  }
  return format;
}

/** Parsing of `NAME=URI` bindings and of connector URIs (`scheme:body?param=value&...`). */
import { ConnectorError } from "./errors.ts";

/** A logical source or sink name bound to a connector URI. */
export interface Binding {
  readonly name: string;
  readonly uri: string;
}

/** A connector URI split into its parts. */
export interface ParsedUri {
  /** Lower-cased scheme, e.g. `"file"`. */
  readonly scheme: string;
  /** Everything between `scheme:` and `?`, e.g. `"data/tx.jsonl"`. */
  readonly body: string;
  /** Query parameters; each may appear once. */
  readonly params: ReadonlyMap<string, string>;
  /** The URI as given. */
  readonly uri: string;
}

/**
 * Parses a `NAME=URI` binding as given to a flag.
 *
 * @param flag - the flag it came from, named in errors (e.g. `"--source"`).
 * @throws ConnectorError when there is no `=`, or the name or URI is empty.
 * @example
 * ```ts
 * parseBinding("transactions=file:data/tx.jsonl", "--source");
 * // { name: "transactions", uri: "file:data/tx.jsonl" }
 * ```
 */
export function parseBinding(text: string, flag: string): Binding {
  const eq = text.indexOf("=");
  const example = `e.g. ${flag} transactions=file:data/tx.jsonl or ${flag} alerts=console:`;
  if (eq < 0) {
    throw new ConnectorError(
      `${flag} ${JSON.stringify(text)}`,
      "expected NAME=URI but found no '='",
      example,
    );
  }
  const name = text.slice(0, eq).trim();
  const uri = text.slice(eq + 1).trim();
  if (name === "") {
    throw new ConnectorError(`${flag} ${JSON.stringify(text)}`, "the NAME before '=' is empty", example);
  }
  if (uri === "") {
    throw new ConnectorError(`${flag} ${name}`, "the URI after '=' is empty", example);
  }
  return { name, uri };
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s;

/**
 * Splits a connector URI into scheme, body and query parameters.
 *
 * @param field - what to name in errors (e.g. `"--source tx"`).
 * @throws ConnectorError when the scheme is missing or a parameter repeats.
 */
export function parseUri(uri: string, field: string): ParsedUri {
  const match = SCHEME.exec(uri);
  if (!match) {
    throw new ConnectorError(
      field,
      `${JSON.stringify(uri)} has no scheme`,
      "Write SCHEME:..., e.g. file:data/tx.jsonl, generator:fraud?count=1000, memory:NAME or console:",
    );
  }
  const rest = match[2]!;
  const q = rest.indexOf("?");
  const body = q < 0 ? rest : rest.slice(0, q);
  const params = new Map<string, string>();
  if (q >= 0) {
    for (const [key, value] of new URLSearchParams(rest.slice(q + 1))) {
      if (params.has(key)) {
        throw new ConnectorError(
          `${field} parameter ${key}`,
          `given twice in ${JSON.stringify(uri)}`,
          "Keep one.",
        );
      }
      params.set(key, value);
    }
  }
  return { scheme: match[1]!.toLowerCase(), body, params, uri };
}

/**
 * Rejects parameters a connector does not know, listing the ones it does.
 *
 * @throws ConnectorError naming the first unknown parameter.
 */
export function checkParams(parsed: ParsedUri, known: readonly string[], field: string): void {
  for (const key of parsed.params.keys()) {
    if (!known.includes(key)) {
      const valid = known.length === 0 ? "it takes no parameters" : `valid parameters: ${known.join(", ")}`;
      throw new ConnectorError(
        `${field} parameter ${key}`,
        `unknown parameter for ${parsed.scheme}: URIs`,
        `Remove it (${valid}).`,
      );
    }
  }
}

/**
 * Reads an integer parameter.
 *
 * @throws ConnectorError when it is not a safe integer within `[min, max]`.
 */
export function intParam(
  parsed: ParsedUri,
  key: string,
  field: string,
  range: { min: number; max?: number },
): number | undefined {
  const raw = parsed.params.get(key);
  if (raw === undefined) return undefined;
  const value = raw.trim() === "" ? Number.NaN : Number(raw);
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(value) || value < range.min || value > max) {
    throw new ConnectorError(
      `${field} parameter ${key}`,
      `${JSON.stringify(raw)} is not an integer between ${range.min} and ${max}`,
      `Give e.g. ${key}=${Math.max(range.min, 1)}.`,
    );
  }
  return value;
}

/**
 * Reads a positive finite number parameter.
 *
 * @throws ConnectorError when it is not a number greater than 0.
 */
export function positiveNumberParam(parsed: ParsedUri, key: string, field: string): number | undefined {
  const raw = parsed.params.get(key);
  if (raw === undefined) return undefined;
  const value = raw.trim() === "" ? Number.NaN : Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConnectorError(
      `${field} parameter ${key}`,
      `${JSON.stringify(raw)} is not a number greater than 0`,
      `Give e.g. ${key}=1000, or leave it out.`,
    );
  }
  return value;
}

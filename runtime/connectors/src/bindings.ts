/**
 * Checking that the connectors bound to a pipeline match its logical source and sink names, the
 * same way for every runner.
 */

/** Raised when bindings do not match the pipeline; the message says which name and the fix. */
export class BindingError extends Error {
  override name = "BindingError";
}

/**
 * Throws a {@link BindingError} when a name the pipeline needs has no binding (naming the flag to
 * bind it with) or a binding names something the pipeline does not have (listing its names).
 *
 * @example
 * checkBindings("source", ["transactions"], Object.keys(options.sources));
 */
export function checkBindings(
  what: "source" | "sink",
  needed: readonly string[],
  given: readonly string[],
): void {
  const missing = needed.filter((n) => !given.includes(n));
  const unknown = given.filter((n) => !needed.includes(n));
  const flag = what === "source" ? "--source" : "--sink";
  if (missing.length > 0) {
    throw new BindingError(
      `no ${what} bound for ${missing.map((m) => `"${m}"`).join(", ")}; bind it with ${flag} ${missing[0]}=URI (e.g. ${what === "source" ? "file:data.jsonl" : "console:"})`,
    );
  }
  if (unknown.length > 0) {
    throw new BindingError(
      `unknown ${what} name ${unknown.map((m) => `"${m}"`).join(", ")} in ${flag}; the pipeline's ${what}s are: ${needed.join(", ") || "(none)"}`,
    );
  }
}

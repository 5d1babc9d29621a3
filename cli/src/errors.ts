/**
 * How the CLI reports failures: usage and configuration errors exit with code 2 and one clear
 * line; a job that fails (a user function threw, a sink failed) exits with code 1.
 */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Errors whose message is already written for users (they name the field and the fix). */
const USAGE_ERROR_NAMES = new Set([
  "UsageError",
  "TributaryError",
  "PipelineDefinitionError",
  "IrValidationError",
  "BindingError",
  "ConnectorError",
  "ConfigError",
  "StateSpecError",
]);

export function exitCodeOf(error: unknown): 1 | 2 {
  if (
    error instanceof Error &&
    (USAGE_ERROR_NAMES.has(error.name) || USAGE_ERROR_NAMES.has(error.constructor.name))
  ) {
    return 2;
  }
  return 1;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

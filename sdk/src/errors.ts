/**
 * Errors the SDK throws. Every message says what happened, where (which field or node), and what
 * to do about it, so it can be shown to a user as is.
 */

/** Machine-readable category of a {@link TributaryError}. */
export type TributaryErrorCode = "invalid-argument" | "pipeline-definition" | "ir-validation";

/** Details attached to a {@link TributaryError}. */
export interface TributaryErrorDetails {
  /** The field, argument or node the error is about (e.g. `window size`, `nodes[3].inputs[0]`). */
  readonly field?: string;
  /** What to do to fix it. */
  readonly hint?: string;
}

/**
 * Base class of every error the SDK throws.
 *
 * @example
 * ```ts
 * try { parseDuration("soon", "window size"); }
 * catch (e) { if (e instanceof TributaryError) console.error(e.field, e.hint); }
 * ```
 */
export class TributaryError extends Error {
  readonly code: TributaryErrorCode;
  readonly field: string | undefined;
  readonly hint: string | undefined;

  constructor(code: TributaryErrorCode, message: string, details: TributaryErrorDetails = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.field = details.field;
    this.hint = details.hint;
  }
}

/** A pipeline definition is wrong: a bad argument, a missing `withTimestamps`, a duplicate id… */
export class PipelineDefinitionError extends TributaryError {
  constructor(message: string, details: TributaryErrorDetails = {}) {
    super("pipeline-definition", message, details);
  }
}

/** One problem found in an IR document. `path` is like `nodes[3].params.window.sizeMs`. */
export interface IrIssue {
  readonly path: string;
  /** What is wrong and how to fix it: `<problem> — <fix>`. */
  readonly message: string;
}

/** An IR document failed validation; {@link IrValidationError.issues} lists every problem found. */
export class IrValidationError extends TributaryError {
  readonly issues: readonly IrIssue[];

  constructor(issues: readonly IrIssue[]) {
    const lines = issues.map((i) => `  ${i.path}: ${i.message}`).join("\n");
    super("ir-validation", `invalid pipeline IR (${issues.length} issue(s)):\n${lines}`, {
      field: issues[0]?.path,
      hint: "fix each listed field; an IR written by the SDK's build() is always valid",
    });
    this.issues = issues;
  }
}

/**
 * An error a user can act on: it names the flag, parameter or file concerned (`field`), says
 * what happened, and says what to do (`hint`). `message` holds all three.
 */
export class ConnectorError extends Error {
  /** The flag, URI parameter, file or value concerned, e.g. `"--source tx"` or `"generator parameter rate"`. */
  readonly field: string;
  /** What to do about it. */
  readonly hint: string;

  constructor(field: string, problem: string, hint: string) {
    super(`${field}: ${problem}. ${hint}`);
    this.name = "ConnectorError";
    this.field = field;
    this.hint = hint;
  }
}

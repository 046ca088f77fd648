/**
 * The daemon's configuration error: one line naming the field, no secret values.
 * @module
 */

/** Bad daemon configuration; the CLI prints the message and exits 2. */
export class DaemonConfigError extends Error {
  override name = "DaemonConfigError";
  readonly code = "INVALID_CONFIG";
  /** The offending field as the user wrote it (flag, env var or file key). */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

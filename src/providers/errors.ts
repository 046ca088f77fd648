/**
 * The error providers throw when the infrastructure refuses an operation.
 * @module
 */
import { ScaleSetError } from "../client/errors.js";

/** Options for {@link ProviderError}. */
export interface ProviderErrorOptions {
  /** The provider that failed (`docker`, `process`, …). */
  provider: string;
  /** The runner concerned, when there is one. */
  runnerName?: string | undefined;
  /** The underlying error; must carry no secret (providers redact before wrapping). */
  cause?: unknown;
}

/**
 * A provider could not start, stop or list runners: a {@link ScaleSetError} with code
 * `PROVIDER_ERROR` (check with `isScaleSetError(err, "PROVIDER_ERROR")`). The message says what
 * failed and where, and never contains a JIT config.
 */
export class ProviderError extends ScaleSetError {
  override name = "ProviderError";
  readonly provider: string;
  readonly runnerName: string | undefined;

  constructor(message: string, options: ProviderErrorOptions) {
    super("PROVIDER_ERROR", message, options.cause === undefined ? {} : { cause: options.cause });
    this.provider = options.provider;
    this.runnerName = options.runnerName;
  }
}

/** Replaces every occurrence of `secret` in `text` (no-op for empty secrets). */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  return text.split(secret).join("[REDACTED]");
}

/** The message of any thrown value, with `secret` redacted. */
export function errorMessage(err: unknown, secret?: string): string {
  const text = err instanceof Error ? err.message : String(err);
  return redactSecret(text, secret);
}

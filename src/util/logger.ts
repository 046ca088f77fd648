/**
 * The logging interface library layers accept: a subset of pino's, so a pino logger fits as is.
 * Library code never logs secrets; callers pass objects with already-redacted fields.
 * @module
 */

/** A log method: structured fields first, then the message. */
export type LogFn = (obj: Record<string, unknown>, msg?: string) => void;

/** The pino-compatible subset every library layer takes as `logger?`. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** Optional: a child logger with bound fields (pino's `child`). */
  child?: (bindings: Record<string, unknown>) => Logger;
}

const noop: LogFn = () => {};

/** A logger that drops everything: the default for library code. */
export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};

/** `logger.child(bindings)` when the logger supports it, else the logger itself. */
export function childLogger(logger: Logger, bindings: Record<string, unknown>): Logger {
  return logger.child ? logger.child(bindings) : logger;
}

/**
 * `EmulatorOptionError`: what `startEmulator` throws for an option it cannot use.
 * @module
 */

/**
 * An option `startEmulator` cannot use: a port in use or out of range, a host it cannot listen
 * on, a state or record file it cannot read or write, an empty token, an App key that is no PEM
 * key. `option` is the `EmulatorOptions` key (`port`, `host`, `stateFile`, `recordFile`,
 * `tokens`, `app`) and `reason` the rest of the one-line message (`"{option}: {reason}"`), so a
 * command line can name its own flag instead.
 */
export class EmulatorOptionError extends Error {
  readonly option: string;
  readonly reason: string;

  constructor(option: string, reason: string, options?: ErrorOptions) {
    super(`${option}: ${reason}`, options);
    this.name = "EmulatorOptionError";
    this.option = option;
    this.reason = reason;
  }
}

/** `ENOENT`-style code of a Node error, or its message when it has none. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : err instanceof Error ? err.message : String(err);
}

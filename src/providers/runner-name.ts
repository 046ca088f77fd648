/**
 * Runner names become directory and container names: check them before touching anything.
 * @module
 */
import { ProviderError } from "./errors.js";

const RUNNER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** True for names usable as a directory and a Docker container name. */
export function isValidRunnerName(name: string): boolean {
  return RUNNER_NAME.test(name);
}

/** Throws a {@link ProviderError} unless {@link isValidRunnerName} accepts `name`. */
export function assertValidRunnerName(name: string, provider: string): void {
  if (!isValidRunnerName(name)) {
    throw new ProviderError(
      `invalid runner name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-' (at most 128, not starting with a symbol)`,
      { provider, runnerName: name },
    );
  }
}

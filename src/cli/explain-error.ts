/**
 * What the CLI says about a failed service call: the error's one-line message plus the fix, and
 * whether it was bad input (exit 2) or a failure of the service or network (exit 1).
 * @module
 */
import { isScaleSetError } from "../client/errors.js";
import { DaemonConfigError } from "../daemon/config-error.js";

/** The fix for each error code a command line can cause. */
export const ERROR_HINTS: Readonly<Record<string, string>> = {
  AUTH_FAILED:
    "check --token / GITHUB_TOKEN (PAT scope admin:org, or repo for a repository) or the GitHub App's --app-client-id, --app-installation-id and private key",
  NETWORK_ERROR: "cannot reach the host: check --url, DNS, HTTPS_PROXY/NO_PROXY and firewalls",
  RUNNER_GROUP_NOT_FOUND: "create the runner group in GitHub or pass --runner-group default",
  INVALID_CONFIG_URL:
    "use https://github.com/<org>, https://github.com/<org>/<repo> or https://github.com/enterprises/<name>",
  HTTP_ERROR: "the service answered with an unexpected status; scaleset doctor checks each step",
  RUNNER_EXISTS:
    "a runner with that name is registered: pick another --runner-name, or remove it with scaleset runners remove <name>",
};

/** Codes caused by what the user typed: exit 2 like any other bad input. */
const INPUT_CODES = new Set([
  "AUTH_FAILED",
  "RUNNER_EXISTS",
  "RUNNER_GROUP_NOT_FOUND",
  "INVALID_CONFIG",
  "INVALID_CONFIG_URL",
]);

/** One line (message → fix) and the exit code for `err`. */
export function explainError(err: unknown): { line: string; exitCode: 1 | 2 } {
  // Config found wrong only at start (e.g. a metrics port in use): already names flag and fix.
  if (err instanceof DaemonConfigError) return { line: err.message, exitCode: 2 };
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, " ");
  const code = isScaleSetError(err) ? err.code : undefined;
  const hint = code === undefined ? undefined : ERROR_HINTS[code];
  return {
    line: hint ? `${message} → ${hint}` : message,
    exitCode: code !== undefined && INPUT_CODES.has(code) ? 2 : 1,
  };
}

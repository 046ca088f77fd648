/** Bad input on the command line or in config: printed as one line, exit code 2. */
export class CliUsageError extends Error {
  override name = "CliUsageError";
}

/**
 * The daemon's pino logger: JSON lines (or pino-pretty on a terminal) with secrets redacted.
 * @module
 */
import { type DestinationStream, type Logger as PinoLogger, pino } from "pino";
import pretty from "pino-pretty";

/** Paths whose values pino replaces with `[redacted]`, wherever a caller puts them. */
export const REDACT_PATHS: string[] = [
  "token",
  "*.token",
  "jitConfig",
  "*.jitConfig",
  "encodedJITConfig",
  "*.encodedJITConfig",
  "privateKey",
  "*.privateKey",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "messageQueueAccessToken",
  "*.messageQueueAccessToken",
  "auth",
  "*.auth",
];

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  level?: string;
  format?: "json" | "pretty";
  /** Where lines go. @default stdout (fd 1) */
  destination?: DestinationStream | undefined;
  /** Extra strings to scrub from messages, e.g. the token in use. */
  secrets?: readonly string[];
}

/**
 * Creates the root logger. Besides pino's path redaction, the given `secrets` are replaced in
 * every serialized line, so a secret that slips into a message or error text is still hidden.
 */
export function createLogger(options: CreateLoggerOptions = {}): PinoLogger {
  const { level = "info", format = "json" } = options;
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 8);
  let destination: DestinationStream =
    options.destination ??
    (format === "pretty"
      ? pretty({ colorize: process.stdout.isTTY === true, sync: true, destination: 1 })
      : pino.destination({ dest: 1, sync: true }));
  if (secrets.length > 0) destination = scrubbing(destination, secrets);
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

function scrubbing(inner: DestinationStream, secrets: readonly string[]): DestinationStream {
  return {
    write(line: string) {
      let out = line;
      for (const secret of secrets) {
        if (out.includes(secret)) out = out.split(secret).join("[redacted]");
      }
      inner.write(out);
    },
  };
}

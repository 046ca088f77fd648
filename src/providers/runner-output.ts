/**
 * What providers keep of a failed runner's own output: its last lines, with anything that looks
 * like a secret blanked, for the daemon's log before the runner (and its log) is deleted.
 * @module
 */

/** How much of a failed runner's output goes into the daemon's log. */
export const RUNNER_OUTPUT_TAIL_BYTES = 2048;

/**
 * Blanks runs of 40+ base64/token characters (JIT configs, runner credentials, JWT parts): a
 * runner's own output is not ours to trust with secrets. Absolute paths are kept.
 */
export function scrubLongTokens(text: string): string {
  return text.replace(/[A-Za-z0-9+/=_-]{40,}/g, (run) =>
    run.startsWith("/") ? run : "[redacted]",
  );
}

/** The end of `text` within `bytes`, cut at a line start, trailing whitespace removed. */
export function tailText(text: string, bytes: number = RUNNER_OUTPUT_TAIL_BYTES): string {
  const buffer = Buffer.from(text, "utf8");
  if (buffer.length <= bytes) return text.trimEnd();
  const cut = buffer.subarray(buffer.length - bytes).toString("utf8");
  return cut.slice(cut.indexOf("\n") + 1).trimEnd();
}

/**
 * The text of a Docker log stream of a container without a TTY: frames of an 8-byte header
 * (stream, 3 zero bytes, big-endian length) and their payload, stdout and stderr interleaved.
 */
export function demuxDockerLog(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, Math.min(buffer.length, offset + 8 + size)));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString("utf8");
}

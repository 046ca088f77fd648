/**
 * Durations as humans write them on a command line: `90s`, `10m`, `1h`, `500ms` or plain seconds.
 * @module
 */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration into milliseconds. A number (or a string without unit) counts seconds.
 * Returns undefined for anything else (negative, empty, unknown unit).
 */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === "number")
    return Number.isFinite(input) && input >= 0 ? input * 1000 : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(input);
  if (m === null || m[1] === undefined) return undefined;
  const unit = (m[2] ?? "s").toLowerCase();
  const factor = UNITS[unit];
  return factor === undefined ? undefined : Math.round(Number(m[1]) * factor);
}

/** Parses `host:port`, `:port` or `port` (host defaults to 0.0.0.0); undefined when malformed. */
export function parseHostPort(input: string): { host: string; port: number } | undefined {
  const m = /^(?:\[?([^\]]*?)\]?:)?(\d{1,5})$/.exec(input.trim());
  if (m === null || m[2] === undefined) return undefined;
  const port = Number(m[2]);
  if (port > 65_535) return undefined;
  return { host: m[1] || "0.0.0.0", port };
}

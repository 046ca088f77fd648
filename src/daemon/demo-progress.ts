/**
 * Live progress of `scaleset demo`: a redrawn table on a terminal, plain lines otherwise.
 * @module
 */

/** One progress sample. */
export interface DemoSnapshot {
  elapsedMs: number;
  total: number;
  queued: number;
  assigned: number;
  running: number;
  done: number;
  runnersUp: number;
}

/** Median and 95th percentile (nearest rank) of `values`; undefined when empty. */
export function percentiles(
  values: readonly number[],
): { median: number; p95: number } | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
  return { median: rank(0.5), p95: rank(0.95) };
}

function bar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Writes progress to `out`; on a TTY it redraws a 3-line table in place. */
export class DemoProgress {
  readonly #out: NodeJS.WritableStream;
  readonly #tty: boolean;
  #drawn: boolean = false;
  #lastLine = "";
  #lastPrintAt = 0;

  constructor(out: NodeJS.WritableStream, tty: boolean) {
    this.#out = out;
    this.#tty = tty;
  }

  /** Shows a sample; plain mode prints only changes, at most twice a second (always the last). */
  update(s: DemoSnapshot, final = false): void {
    if (this.#tty) {
      const lines = [
        "  queued  assigned  running  done  runners up",
        `  ${pad(s.queued, 6)}  ${pad(s.assigned, 8)}  ${pad(s.running, 7)}  ${pad(s.done, 4)}  ${pad(s.runnersUp, 10)}`,
        `  ${bar(s.done, s.total)} ${s.done}/${s.total}  ${seconds(s.elapsedMs)}`,
      ];
      const up = this.#drawn ? `\x1b[${lines.length}F` : "";
      this.#out.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join("\n")}\n`);
      this.#drawn = true;
      return;
    }
    const line = `queued=${s.queued} assigned=${s.assigned} running=${s.running} done=${s.done}/${s.total} runners=${s.runnersUp}`;
    const now = Date.now();
    if (line === this.#lastLine || (!final && now - this.#lastPrintAt < 500)) return;
    this.#lastLine = line;
    this.#lastPrintAt = now;
    this.#out.write(`[${seconds(s.elapsedMs).padStart(6)}] ${line}\n`);
  }

  /** Prints a line below the table. */
  line(text: string): void {
    this.#out.write(`${text}\n`);
  }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width);
}

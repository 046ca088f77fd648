/**
 * Shared bits of the listener benchmarks: argument parsing, GC, a no-op scaler, bounded
 * concurrency, a table printer.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Scaler } from "../src/listener/types.js";

/** `--name value` from argv, else `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

/** True when `--name` is present. */
export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

setFlagsFromString("--expose-gc");
const gcFn = runInNewContext("gc") as () => void;

/** Full GC, a few times, so RSS readings settle. */
export async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gcFn();
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A scaler that does nothing (idle benchmarks). */
export const noopScaler: Scaler = {
  handleDesiredRunnerCount: async (count) => count,
  handleJobStarted: async () => {},
  handleJobCompleted: async () => {},
};

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}

/** Prints rows as an aligned two-column table. */
export function printTable(title: string, rows: [string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${title}`);
  console.log("-".repeat(title.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

/** Polls `probe` until truthy or `timeoutMs` passes. */
export async function until(
  probe: () => boolean,
  timeoutMs: number,
  what: string,
  progress?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let nextReport = Date.now() + 5000;
  while (!probe()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${progress ? ` (${progress()})` : ""}`);
    }
    if (progress && Date.now() > nextReport) {
      console.error(`waiting for ${what}: ${progress()}`);
      nextReport = Date.now() + 5000;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** "state: count" summary of listener health states and last errors. */
export function stateSummary(healths: { state: string; lastError: string | undefined }[]): string {
  const counts = new Map<string, number>();
  for (const h of healths) counts.set(h.state, (counts.get(h.state) ?? 0) + 1);
  const errors = new Set(healths.map((h) => h.lastError).filter(Boolean));
  const sample = [...errors].slice(0, 2).join(" | ");
  return `${[...counts].map(([k, v]) => `${k}: ${v}`).join(", ")}${sample ? `; errors: ${sample}` : ""}`;
}

/** The p-th percentile (0–100) of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

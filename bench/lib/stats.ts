/** Small statistics and formatting helpers for the benchmark tables. */

/** Median of `values` (NaN when empty). */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The p-th percentile (0–100, nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i] as number;
}

/** `ours / reference` as `0.12×`. */
export function ratio(ours: number, reference: number): string {
  if (!Number.isFinite(ours) || !Number.isFinite(reference) || reference === 0) return "n/a";
  const r = ours / reference;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toPrecision(2)}×`;
}

/** Bytes as KB/MB. */
export function bytes(n: number): string {
  if (!Number.isFinite(n)) return "n/a";
  if (Math.abs(n) >= 10 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024).toFixed(1)} KB`;
}

/** Number with `digits` decimals. */
export function num(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "n/a";
}

/** A markdown table. */
export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Runs `fn` `runs` times and returns the results. */
export async function repeat<T>(runs: number, fn: (run: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < runs; i++) out.push(await fn(i));
  return out;
}

/** Waits `ms`. */
export function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `ours / reference` as a ratio plus words: `0.012× (84× less)` or `1.84× (more)`. */
export function versus(ours: number, reference: number): string {
  const r = ratio(ours, reference);
  if (r === "n/a") return r;
  return ours < reference
    ? `${r} (${num(reference / ours, reference / ours >= 10 ? 0 : 1)}× less)`
    : `${r} (more)`;
}

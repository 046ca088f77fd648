/**
 * Small helpers to branch on client errors by `code` without importing the client.
 * @module
 */

/** True when `err` carries the string `code` (what `isScaleSetError(err, code)` checks). */
export function hasCode(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === code;
}

/** One-line description of an error for logs (client errors never carry secrets). */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Which HTTP outcomes are retried and how long to wait (protocol-spec.md §6.2–§6.3):
 * 429, 5xx except 501, network errors (not TLS certificate failures); 1 s doubling capped at
 * `retryWaitMaxMs`; `Retry-After` (seconds or HTTP-date) honoured as is on 429 and 503.
 * @module
 */

/** Whether a status is retried by the default policy, plus `extraStatuses` (401/403 for registration). */
export function isRetryableStatus(status: number, extraStatuses: readonly number[] = []): boolean {
  if (status === 429) return true;
  if (status === 0 || (status >= 500 && status !== 501)) return true;
  return extraStatuses.includes(status);
}

// TLS verification failures are permanent (Go's retryablehttp does not retry them either).
const CERT_ERROR_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Whether a transport error (no response) is retried: yes, unless it is a certificate failure. */
export function isRetryableNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CERT_ERROR_CODES.has(code)) return false;
    e = (e as { cause?: unknown }).cause;
  }
  return true;
}

// Go's time.RFC1123 layout, "Mon, 02 Jan 2006 15:04:05 MST".
const RFC1123 = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} [A-Za-z]{3,4}$/;

/**
 * The wait demanded by `Retry-After` on a 429/503, in ms (a past date gives 0), or undefined
 * when the status does not qualify or the header is absent or unreadable. Readable forms are
 * those of Go's retryablehttp: a non-negative decimal integer of seconds (optional `+`) or an
 * RFC 1123 date; anything else (`-1`, `1.5`, ISO dates) leaves the normal backoff in force.
 */
export function retryAfterMs(
  status: number,
  header: string | null,
  nowMs = Date.now(),
): number | undefined {
  if ((status !== 429 && status !== 503) || !header) return undefined;
  const value = header.trim();
  if (/^\+?\d+$/.test(value)) return Number(value) * 1000;
  if (!RFC1123.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Backoff before retry number `retryIndex` (0-based): min(1 s × 2^n, cap). */
export function backoffMs(retryIndex: number, retryWaitMaxMs: number): number {
  return Math.min(retryWaitMaxMs, 1000 * 2 ** retryIndex);
}

import { describe, expect, it } from "vitest";
import { retryAfterMs } from "./retry-policy.js";

const NOW = Date.parse("2026-01-02T03:04:05Z");

describe("retryAfterMs", () => {
  it("honours integer seconds and an RFC 1123 date on 429 and 503 only", () => {
    expect(retryAfterMs(429, "3", NOW)).toBe(3000);
    expect(retryAfterMs(503, "+2", NOW)).toBe(2000);
    expect(retryAfterMs(503, "Fri, 02 Jan 2026 03:04:15 GMT", NOW)).toBe(10_000);
    expect(retryAfterMs(429, "Fri, 02 Jan 2026 03:00:00 GMT", NOW)).toBe(0);
    expect(retryAfterMs(500, "3", NOW)).toBeUndefined();
    expect(retryAfterMs(429, null, NOW)).toBeUndefined();
  });

  it("ignores values Go's retryablehttp would not read, so the normal backoff applies", () => {
    for (const value of ["-1", "1.5", "soon", "2026-01-02T03:04:15Z", "02 Jan 2026 03:04:15 GMT"]) {
      expect(retryAfterMs(429, value, NOW), value).toBeUndefined();
    }
  });
});

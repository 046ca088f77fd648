import { afterEach, describe, expect, it, vi } from "vitest";
import { backoffDelayMs, retry } from "./retry.js";
import { sleep } from "./sleep.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("backoffDelayMs", () => {
  it("doubles from the minimum and stops at the cap", () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelayMs(n))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000,
    ]);
  });

  it("keeps jittered delays within half and all of the computed delay", () => {
    for (let i = 0; i < 50; i++) {
      const d = backoffDelayMs(2, { jitter: true });
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });
});

describe("retry", () => {
  it("retries until the function succeeds and reports each retry", async () => {
    vi.useFakeTimers();
    const onRetry = vi.fn();
    let calls = 0;
    const done = retry(
      async () => {
        calls++;
        if (calls < 3) throw new Error(`fail ${calls}`);
        return "ok";
      },
      { onRetry },
    );
    await vi.advanceTimersByTimeAsync(1000 + 2000);
    await expect(done).resolves.toBe("ok");
    expect(onRetry.mock.calls.map(([ctx]) => ctx.delayMs)).toEqual([1000, 2000]);
  });

  it("throws the last error once retries run out", async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error(`fail ${calls}`);
        },
        { retries: 2, minDelayMs: 1 },
      ),
    ).rejects.toThrow("fail 3");
  });

  it("does not retry when shouldRetry says no", async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error("permanent");
        },
        { shouldRetry: () => false },
      ),
    ).rejects.toThrow("permanent");
    expect(calls).toBe(1);
  });

  it("rejects with the abort reason during a wait", async () => {
    const controller = new AbortController();
    const reason = new Error("stopped");
    const done = retry(
      async () => {
        throw new Error("transient");
      },
      { minDelayMs: 60_000, signal: controller.signal },
    );
    setTimeout(() => controller.abort(reason), 10);
    await expect(done).rejects.toBe(reason);
  });
});

describe("sleep", () => {
  it("rejects at once when the signal is already aborted", async () => {
    const reason = new Error("already");
    await expect(sleep(10_000, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});

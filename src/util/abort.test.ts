import { describe, expect, it } from "vitest";
import { childSignal, TimeoutError } from "./abort.js";

describe("childSignal", () => {
  it("aborts with the parent's reason", () => {
    const parent = new AbortController();
    const child = childSignal(parent.signal, 10_000);
    const reason = new Error("shutdown");
    parent.abort(reason);
    expect(child.signal.reason).toBe(reason);
    child.dispose();
  });

  it("aborts with a TimeoutError after the timeout", async () => {
    const child = childSignal(undefined, 5);
    await new Promise((r) => setTimeout(r, 30));
    expect(child.signal.reason).toBeInstanceOf(TimeoutError);
  });

  it("stops following the parent once disposed", () => {
    const parent = new AbortController();
    const child = childSignal(parent.signal, 10_000);
    child.dispose();
    parent.abort(new Error("late"));
    expect(child.signal.aborted).toBe(false);
  });
});

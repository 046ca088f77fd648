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

describe("childSignal with many children", () => {
  it("lets one parent carry hundreds of live children without a leak warning", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    const parent = new AbortController();
    const children = Array.from({ length: 200 }, () => childSignal(parent.signal, 10_000));
    await new Promise((r) => setImmediate(r));
    for (const child of children) child.dispose();
    process.off("warning", onWarning);
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
  });
});

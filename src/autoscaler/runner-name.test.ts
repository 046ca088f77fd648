import { describe, expect, it } from "vitest";
import { runnerName } from "./runner-name.js";

describe("runnerName", () => {
  it("gives distinct <scale set>-<8 hex> names across pool refills", () => {
    const names = new Set(Array.from({ length: 3000 }, () => runnerName("linux")));
    expect(names.size).toBe(3000);
    for (const name of names) expect(name).toMatch(/^linux-[0-9a-f]{8}$/);
  });

  it("cuts long scale set names so the runner name fits 64 characters", () => {
    const name = runnerName("x".repeat(100));
    expect(name).toHaveLength(64);
    expect(name).toMatch(/^x{55}-[0-9a-f]{8}$/);
  });
});

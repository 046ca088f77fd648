import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { isSameProcessAlive, parseProcStat, processTree, readProcStat } from "./proc-stat.js";

describe("parseProcStat", () => {
  it("reads state, parent, group and start time even when the command name has spaces and parentheses", () => {
    const line =
      "4242 (we (ird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200";
    expect(parseProcStat(line)).toEqual({
      pid: 4242,
      state: "S",
      ppid: 1,
      pgid: 4242,
      startTime: "987654",
    });
  });

  it("returns undefined for a truncated line", () => {
    expect(parseProcStat("12 (x) S 1")).toBeUndefined();
  });
});

describe("isSameProcessAlive", () => {
  it("is true for this process with its own start time and false for another start time", async () => {
    const self = await readProcStat(process.pid);
    expect(self).toBeDefined();
    expect(await isSameProcessAlive(process.pid, self?.startTime)).toBe(true);
    expect(await isSameProcessAlive(process.pid, "1")).toBe(false);
  });

  it("is false for a pid that does not exist", async () => {
    expect(await isSameProcessAlive(2 ** 22 + 1)).toBe(false);
  });
});

describe("processTree", () => {
  it("finds a detached leader and the children it forked", async () => {
    const leader = spawn("/bin/sh", ["-c", "sleep 30 & sleep 30; wait"], {
      detached: true,
      stdio: "ignore",
    });
    const pid = leader.pid as number;
    try {
      let tree: number[] = [];
      for (let i = 0; i < 100 && tree.length < 3; i++) {
        tree = await processTree(pid, pid);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(tree).toContain(pid);
      expect(tree.length).toBe(3);
    } finally {
      process.kill(-pid, "SIGKILL");
    }
  });
});

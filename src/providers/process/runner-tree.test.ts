import { describe, expect, it } from "vitest";
import type { ProcStat } from "./proc-stat.js";
import { leaderAlive, runnerMembers } from "./runner-tree.js";

function proc(pid: number, ppid: number, pgid: number, startTime = "100"): ProcStat {
  return { pid, state: "S", ppid, pgid, startTime };
}

const pids = (stats: ProcStat[]) => stats.map((s) => s.pid).sort((a, b) => a - b);

describe("runnerMembers", () => {
  it("finds the leader, its group and descendants that moved to another group", () => {
    const stats = [proc(10, 1, 10), proc(11, 10, 10), proc(12, 11, 12), proc(99, 1, 99)];
    const members = runnerMembers(stats, { leaderPid: 10, leaderStartTime: "100" });
    expect(pids(members)).toEqual([10, 11, 12]);
  });

  it("still finds the group's processes once the leader is gone", () => {
    const stats = [proc(11, 1, 10), proc(13, 11, 10), proc(99, 1, 99)];
    const tree = { leaderPid: 10, leaderStartTime: "100" };
    expect(pids(runnerMembers(stats, tree))).toEqual([11, 13]);
    expect(leaderAlive(stats, tree)).toBe(false);
  });

  it("leaves alone a stranger that got the leader's pid, and its group", () => {
    const stats = [proc(10, 1, 10, "555"), proc(11, 10, 10, "556")];
    const tree = { leaderPid: 10, leaderStartTime: "100" };
    expect(runnerMembers(stats, tree)).toEqual([]);
    expect(leaderAlive(stats, tree)).toBe(false);
  });

  it("finds descendants seen earlier that left the group and lost their parent, by pid and start time", () => {
    const stats = [proc(20, 1, 20, "300"), proc(21, 20, 20, "301"), proc(30, 1, 30, "999")];
    const known = new Map([
      [20, "300"],
      [30, "400"],
    ]);
    const members = runnerMembers(stats, { leaderPid: 10, leaderStartTime: "100", known });
    expect(pids(members)).toEqual([20, 21]);
  });
});

/**
 * Which live processes belong to a runner: its process group (led by the wrapper shell), their
 * descendants, and descendants seen earlier that left the group (setsid) and lost their parent.
 * @module
 */
import { addDescendants, type ProcStat } from "./proc-stat.js";

/** What identifies one runner's processes. */
export interface RunnerTree {
  /** Pid of the wrapper shell; it leads the runner's process group (pgid = this pid). */
  leaderPid: number;
  /** The leader's `/proc` start time, to tell a recycled pid apart. */
  leaderStartTime: string | undefined;
  /** Descendants seen earlier, pid → start time. */
  known?: ReadonlyMap<number, string> | undefined;
}

/**
 * The runner's live processes in `stats` (one `/proc` snapshot), the leader included when alive.
 *
 * The group is the runner's while its leader runs, and also once the leader is gone: Linux does
 * not hand out a pid that is still some live process's group id, so processes left in group
 * `leaderPid` are the runner's leftovers. Only when a different process (other start time) holds
 * the leader's pid was the group emptied and the pid recycled: then the group is a stranger's.
 */
export function runnerMembers(stats: ProcStat[], tree: RunnerTree): ProcStat[] {
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  const leader = byPid.get(tree.leaderPid);
  const recycled =
    leader !== undefined &&
    tree.leaderStartTime !== undefined &&
    leader.startTime !== tree.leaderStartTime;
  const found = new Map<number, ProcStat>();
  if (!recycled) {
    for (const s of stats) if (s.pgid === tree.leaderPid) found.set(s.pid, s);
    if (leader) found.set(leader.pid, leader);
  }
  for (const [pid, startTime] of tree.known ?? []) {
    const s = byPid.get(pid);
    if (s && s.startTime === startTime) found.set(pid, s);
  }
  addDescendants(stats, found);
  return [...found.values()];
}

/** True when the leader itself (same start time) is among `stats`. */
export function leaderAlive(stats: ProcStat[], tree: RunnerTree): boolean {
  return stats.some(
    (s) =>
      s.pid === tree.leaderPid &&
      (tree.leaderStartTime === undefined || s.startTime === tree.leaderStartTime),
  );
}

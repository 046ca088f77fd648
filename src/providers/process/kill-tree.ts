/**
 * Stops a runner's whole process tree: SIGTERM to its process group and every descendant,
 * SIGKILL to whatever is left after the grace period.
 * @module
 */
import { sleep } from "../../util/sleep.js";
import { isSameProcessAlive, processTree } from "./proc-stat.js";

const POLL_MS = 25;

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH (gone already) or EPERM (not ours any more): nothing to do.
  }
}

async function anyAlive(pids: number[]): Promise<boolean> {
  for (const pid of pids) if (await isSameProcessAlive(pid)) return true;
  return false;
}

async function waitGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await anyAlive(pids)) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/**
 * Terminates the tree led by `leaderPid` (a process-group leader). Resolves once every process of
 * the tree is gone; returns false if something survived even SIGKILL (should not happen).
 */
export async function killTree(leaderPid: number, graceMs: number): Promise<boolean> {
  const tree = await processTree(leaderPid, leaderPid);
  signal(-leaderPid, "SIGTERM");
  for (const pid of tree) signal(pid, "SIGTERM");
  if (await waitGone(tree, graceMs)) return true;
  // Pick up children forked during the grace period too.
  const rest = await processTree(leaderPid, leaderPid);
  signal(-leaderPid, "SIGKILL");
  for (const pid of [...tree, ...rest]) signal(pid, "SIGKILL");
  return waitGone([...tree, ...rest], 5_000);
}

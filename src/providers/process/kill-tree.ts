/**
 * Stops a runner's whole process tree: SIGTERM to its process group and every member found
 * (see {@link runnerMembers}), SIGKILL to whatever is left after the grace period. Works the same
 * whether the group's leader (the wrapper shell) still runs or already exited.
 * @module
 */
import { sleep } from "../../util/sleep.js";
import { isSameProcessAlive, type ProcStat, scanProcesses } from "./proc-stat.js";
import { type RunnerTree, runnerMembers } from "./runner-tree.js";

const POLL_MS = 25;

/** What {@link killTree} did. */
export interface KillTreeResult {
  /** Processes found and signalled (0 when nothing of the runner was left). */
  signalled: number;
  /** False when something survived even SIGKILL (should not happen). */
  gone: boolean;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH (gone already) or EPERM (not ours any more): nothing to do.
  }
}

function send(members: ProcStat[], tree: RunnerTree, sig: NodeJS.Signals): void {
  // The group signal also reaches members forked after the scan; runnerMembers only lists
  // group members when the group is still the runner's.
  if (members.some((m) => m.pgid === tree.leaderPid)) signal(-tree.leaderPid, sig);
  for (const m of members) signal(m.pid, sig);
}

async function waitGone(members: ProcStat[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let alive = false;
    for (const m of members) {
      if (await isSameProcessAlive(m.pid, m.startTime)) {
        alive = true;
        break;
      }
    }
    if (!alive) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
}

/**
 * Terminates every process of the runner: SIGTERM (repeated for processes forked meanwhile) until
 * `graceMs` has passed, then SIGKILL. Resolves once nothing of the runner is left.
 */
export async function killTree(tree: RunnerTree, graceMs: number): Promise<KillTreeResult> {
  const deadline = Date.now() + graceMs;
  const signalled = new Set<number>();
  let members = runnerMembers(await scanProcesses(), tree);
  while (members.length > 0 && Date.now() < deadline) {
    send(members, tree, "SIGTERM");
    for (const m of members) signalled.add(m.pid);
    await waitGone(members, deadline - Date.now());
    members = runnerMembers(await scanProcesses(), tree);
  }
  for (let round = 0; round < 3 && members.length > 0; round++) {
    send(members, tree, "SIGKILL");
    for (const m of members) signalled.add(m.pid);
    await waitGone(members, 5_000);
    members = runnerMembers(await scanProcesses(), tree);
  }
  return { signalled: signalled.size, gone: members.length === 0 };
}

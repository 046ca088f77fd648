/**
 * Small readers of Linux `/proc` used to recognise a runner process after a daemon restart
 * (pid + start time, so a recycled pid is not mistaken for the runner) and to find its tree.
 * @module
 */
import { readdir, readFile } from "node:fs/promises";

/** The fields of `/proc/<pid>/stat` we use. */
export interface ProcStat {
  pid: number;
  /** One-letter state: R, S, D, Z (zombie), T, X … */
  state: string;
  ppid: number;
  pgid: number;
  /** Start time in clock ticks after boot: with the pid, identifies one process for good. */
  startTime: string;
}

/** Parses one `/proc/<pid>/stat` line; the command name may contain spaces and parentheses. */
export function parseProcStat(line: string): ProcStat | undefined {
  const close = line.lastIndexOf(")");
  if (close < 0) return undefined;
  const pid = Number.parseInt(line.slice(0, line.indexOf(" ")), 10);
  // Fields after the name: 3 state, 4 ppid, 5 pgrp, … 22 starttime (1-based, as in proc(5)).
  const rest = line
    .slice(close + 2)
    .trim()
    .split(" ");
  const [state, ppid, pgid] = rest;
  const startTime = rest[19];
  if (state === undefined || ppid === undefined || pgid === undefined || startTime === undefined) {
    return undefined;
  }
  return {
    pid,
    state,
    ppid: Number.parseInt(ppid, 10),
    pgid: Number.parseInt(pgid, 10),
    startTime,
  };
}

/** `/proc/<pid>/stat` of a live process, or undefined when there is none. */
export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/** True when `pid` runs (not a zombie) and started at `startTime` (when given). */
export async function isSameProcessAlive(pid: number, startTime?: string): Promise<boolean> {
  const stat = await readProcStat(pid);
  if (!stat || stat.state === "Z" || stat.state === "X") return false;
  return startTime === undefined || stat.startTime === startTime;
}

/** A snapshot of every live (not zombie) process: one read of each `/proc/<pid>/stat`. */
export async function scanProcesses(): Promise<ProcStat[]> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return [];
  }
  const stats = await Promise.all(
    entries.filter((e) => /^\d+$/.test(e)).map((e) => readProcStat(Number(e))),
  );
  return stats.filter((s): s is ProcStat => s !== undefined && s.state !== "Z" && s.state !== "X");
}

/** Adds to `found` every process of `stats` descending from one already in it. */
export function addDescendants(stats: ProcStat[], found: Map<number, ProcStat>): void {
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of stats) {
      if (!found.has(s.pid) && found.has(s.ppid)) {
        found.set(s.pid, s);
        grew = true;
      }
    }
  }
}

/** All live processes whose process group is `pgid` or that descend from `rootPid`. */
export async function processTree(rootPid: number, pgid: number): Promise<number[]> {
  const stats = await scanProcesses();
  const found = new Map<number, ProcStat>();
  for (const s of stats) if (s.pgid === pgid || s.pid === rootPid) found.set(s.pid, s);
  // Descendants that moved to another group (setsid, setpgid) still belong to the runner.
  addDescendants(stats, found);
  return [...found.keys()];
}

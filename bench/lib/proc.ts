/**
 * Resident memory and CPU time of processes from /proc (Linux): VmRSS from
 * `/proc/<pid>/status`, utime + stime from `/proc/<pid>/stat`.
 */
import { readFileSync } from "node:fs";

const CLK_TCK = 100; // `getconf CLK_TCK` on Linux x86-64

/** Resident set size of `pid` in bytes (0 when the process is gone). */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** User + system CPU time of `pid` in ms (0 when the process is gone). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** Sum of {@link rssBytes} over `pids`. */
export function totalRss(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + rssBytes(pid), 0);
}

/** Sum of {@link cpuMs} over `pids`. */
export function totalCpuMs(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
}

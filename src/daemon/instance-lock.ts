/**
 * One `scaleset run` per scale set per host: a lock file next to the scale set's session state
 * file. Two daemons for the same scale set would delete each other's message session and remove
 * each other's runners mid-job; the second one is refused at start instead.
 * @module
 */
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { parseProcStat } from "../providers/process/proc-stat.js";
import { scaleSetStateKey } from "./session-store.js";

/** Another live process holds the lock; the CLI prints the message and exits 2. */
export class InstanceLockedError extends Error {
  override name = "InstanceLockedError";
  readonly code = "INSTANCE_LOCKED";
  /** The process holding the lock. */
  readonly pid: number;
  readonly path: string;
  constructor(scaleSetName: string, configUrl: string, pid: number, path: string) {
    super(
      `scale set "${scaleSetName}" at ${configUrl} is already run by pid ${pid} on this host (lock ${path}); stop that daemon first, or delete the lock file if pid ${pid} is not a scaleset daemon`,
    );
    this.pid = pid;
    this.path = path;
  }
}

/** A held lock. */
export interface InstanceLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. Synchronous (usable in an `exit` handler), idempotent. */
  release(): void;
}

/** `<stateDir>/lock-<hash>.json`, the same hash as the scale set's `session-<hash>.json`. */
export function instanceLockPath(
  configUrl: string,
  scaleSetName: string,
  stateDir: string,
): string {
  return join(stateDir, `lock-${scaleSetStateKey(configUrl, scaleSetName)}.json`);
}

interface LockContent {
  pid: number;
  startedAt: string;
}

/** True while `pid` names a running process (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * When `pid` started, in epoch ms, from Linux's /proc (undefined elsewhere): a lock whose pid
 * belongs to a process started after the lock was written names a reused pid, not its daemon.
 */
function processStartMs(pid: number): number | undefined {
  try {
    const startTicks = Number(parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"))?.startTime);
    const bootS = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]);
    if (!Number.isFinite(startTicks) || !Number.isFinite(bootS)) return undefined;
    return bootS * 1000 + startTicks * (1000 / CLOCK_TICKS_PER_S);
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS_PER_S = 100; // `getconf CLK_TCK` on Linux

/** The lock's holder still runs: its pid is alive and is not a later process reusing it. */
function holderAlive(content: LockContent): boolean {
  if (!processAlive(content.pid)) return false;
  const lockedAt = Date.parse(content.startedAt);
  const startedAt = processStartMs(content.pid);
  if (startedAt === undefined || Number.isNaN(lockedAt)) return true;
  return startedAt <= lockedAt + 2000; // /proc start times are rounded to clock ticks
}

function readLock(path: string): { text: string; content: LockContent | undefined } | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockContent>;
    const pid = parsed.pid;
    if (typeof pid === "number" && Number.isInteger(pid) && pid > 0) {
      return { text, content: { pid, startedAt: String(parsed.startedAt) } };
    }
  } catch {
    // unparsable: nobody's lock (written complete or not at all, see acquireInstanceLock)
  }
  return { text, content: undefined };
}

/**
 * Takes the lock of one scale set, or throws {@link InstanceLockedError} while a live process other
 * than this one holds it. A lock whose pid is dead, is our own pid (pid 1 again in a restarted
 * container) or now names a process started after the lock was written (a reused pid) is stale
 * and taken over: a daemon that crashed leaves its lock behind.
 *
 * The file is written complete to a temp file and linked into place (`link` fails with EEXIST
 * like `open(…, "wx")`), so a lock is never seen half written.
 */
export function acquireInstanceLock(options: {
  configUrl: string;
  scaleSetName: string;
  stateDir: string;
}): InstanceLock {
  const { configUrl, scaleSetName, stateDir } = options;
  const path = instanceLockPath(configUrl, scaleSetName, stateDir);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const ours: LockContent = { pid: process.pid, startedAt: new Date().toISOString() };
  const oursText = `${JSON.stringify(ours)}\n`;
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, oursText);
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temp, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const held = readLock(path);
      if (held === undefined) continue; // released meanwhile
      const holder = held.content;
      if (holder !== undefined && holder.pid !== process.pid && holderAlive(holder)) {
        throw new InstanceLockedError(scaleSetName, configUrl, holder.pid, path);
      }
      if (attempt >= 5) throw new Error(`could not take the lock ${path}: it keeps changing`);
      // Stale: remove it unless another starting daemon replaced it since we read it.
      if (readLock(path)?.text === held.text) {
        try {
          unlinkSync(path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        }
      }
    }
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  }
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      try {
        if (readLock(path)?.text === oursText) unlinkSync(path);
      } catch {
        // best effort: a lock left behind is stale once this process is gone
      }
    },
  };
}

import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireInstanceLock, InstanceLockedError, instanceLockPath } from "./instance-lock.js";
import { sessionStatePath } from "./session-store.js";

const URL = "https://github.com/my-org";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "scaleset-lock-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return join(dir, "state");
}

/** A live process that is not us. */
async function sleeper(): Promise<ChildProcess> {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  await new Promise((resolve, reject) => child.once("spawn", resolve).once("error", reject));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  cleanups.push(async () => {
    child.kill("SIGKILL");
    await exited;
  });
  return child;
}

/** A pid that ran and is gone. */
async function deadPid(): Promise<number> {
  const child = spawn("true", { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid as number;
}

describe("acquireInstanceLock", () => {
  it("takes the lock next to the session state file with our pid, and removes it on release", async () => {
    const dir = await stateDir();
    const lock = acquireInstanceLock({ configUrl: URL, scaleSetName: "linux", stateDir: dir });
    expect(lock.path).toBe(instanceLockPath(URL, "linux", dir));
    const session = sessionStatePath(URL, "linux", dir);
    expect(lock.path).toBe(session.replace(/session-(\w+)\.json$/, "lock-$1.json"));
    const content = JSON.parse(await readFile(lock.path, "utf8")) as {
      pid: unknown;
      startedAt: unknown;
    };
    expect(content.pid).toBe(process.pid);
    expect(new Date(content.startedAt as string).getTime()).not.toBeNaN();
    expect(await readdir(dir)).toEqual([lock.path.slice(dir.length + 1)]);
    lock.release();
    lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuses while another live process holds it, naming the pid, the lock and the fix", async () => {
    const dir = await stateDir();
    const holder = await sleeper();
    const path = instanceLockPath(URL, "linux", dir);
    const first = acquireInstanceLock({ configUrl: URL, scaleSetName: "linux", stateDir: dir });
    await writeFile(path, JSON.stringify({ pid: holder.pid, startedAt: new Date().toISOString() }));
    first.release(); // no longer ours: left in place
    let error: unknown;
    try {
      acquireInstanceLock({ configUrl: URL, scaleSetName: "linux", stateDir: dir });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InstanceLockedError);
    expect((error as Error).message).toBe(
      `scale set "linux" at ${URL} is already run by pid ${holder.pid} on this host (lock ${path}); stop that daemon first, or delete the lock file if pid ${holder.pid} is not a scaleset daemon`,
    );
    expect(JSON.parse(await readFile(path, "utf8")).pid).toBe(holder.pid);
    // Other scale sets, or the same name at another URL, are not locked by it.
    acquireInstanceLock({ configUrl: URL, scaleSetName: "arm", stateDir: dir }).release();
    acquireInstanceLock({ configUrl: `${URL}2`, scaleSetName: "linux", stateDir: dir }).release();
    expect(await readdir(dir)).toEqual([path.slice(dir.length + 1)]);
  });

  it("takes over a lock whose pid now names a later process (a reused pid)", async () => {
    const dir = await stateDir();
    const path = instanceLockPath(URL, "linux", dir);
    await mkdir(dir);
    const unrelated = await sleeper();
    await writeFile(
      path,
      JSON.stringify({ pid: unrelated.pid, startedAt: "2020-01-01T00:00:00.000Z" }),
    );
    const lock = acquireInstanceLock({ configUrl: URL, scaleSetName: "linux", stateDir: dir });
    expect(JSON.parse(await readFile(path, "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("takes over a lock whose pid is dead, our own, or unreadable", async () => {
    const dir = await stateDir();
    const path = instanceLockPath(URL, "linux", dir);
    await mkdir(dir);
    for (const stale of [
      JSON.stringify({ pid: await deadPid(), startedAt: "2020-01-01T00:00:00.000Z" }),
      JSON.stringify({ pid: process.pid, startedAt: "2020-01-01T00:00:00.000Z" }),
      "not json",
    ]) {
      await writeFile(path, stale);
      const lock = acquireInstanceLock({ configUrl: URL, scaleSetName: "linux", stateDir: dir });
      const content = JSON.parse(await readFile(path, "utf8")) as {
        pid: unknown;
        startedAt: unknown;
      };
      expect(content.pid).toBe(process.pid);
      expect(content.startedAt).not.toBe("2020-01-01T00:00:00.000Z");
      lock.release();
      expect(await readdir(dir)).toEqual([]);
    }
  });
});

import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "scaleset-demo-sigint-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Pids of live processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe("scaleset demo interrupted", () => {
  it("drains on Ctrl-C and leaves no process and no temp dir behind", async () => {
    // Own process group, like a terminal's foreground job: Ctrl-C signals the whole group.
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "demo", "--jobs", "40", "--max-runners", "4"],
      { cwd: repoRoot, env: { ...process.env, TMPDIR: tmp }, detached: true },
    );
    let stdout = "";
    const busy = new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (/running=[1-9]/.test(stdout)) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await busy;
    expect(readdirSync(tmp).filter((f) => f.startsWith("scaleset-demo-"))).toHaveLength(1);
    process.kill(-(child.pid as number), "SIGINT");
    const code = await exited;

    expect(code, stdout).toBe(130);
    expect(stdout).toMatch(/^interrupted: draining/m);
    expect(stdout).toMatch(/^interrupted: \d+\/40 jobs succeeded/m);
    expect(stdout).toMatch(/^left behind: nothing$/m);
    expect(readdirSync(tmp).filter((f) => f.startsWith("scaleset-demo-"))).toEqual([]);
    expect(processesMentioning(tmp)).toEqual([]);
  });
});

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScaleSetClient } from "../../src/client/index.js";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

function scaleset(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("SCALESET_") && k !== "GITHUB_TOKEN"),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { cwd: repoRoot, env, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        resolve({ code: typeof code === "number" ? code : -1, stdout, stderr });
      },
    );
  });
}

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ longPollMs: 100 });
  const client = ScaleSetClient.withToken({ configUrl: emulator.configUrl, token: emulator.token });
  const group = await client.getRunnerGroupByName("default");
  await client.createRunnerScaleSet({ name: "linux", runnerGroupId: group.id });
});
afterAll(() => emulator.close());

describe("scaleset jit with a runner name that is taken", () => {
  it("exits 2 with one line saying to pick another name or remove the runner", async () => {
    const conn = ["--url", emulator.configUrl, "--token", emulator.token];
    const first = await scaleset(["jit", ...conn, "--name", "linux", "--runner-name", "taken-1"]);
    expect(first.code).toBe(0);
    const again = await scaleset(["jit", ...conn, "--name", "linux", "--runner-name", "taken-1"]);
    expect(again.stdout).toBe("");
    const lines = again.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^scaleset: .*AgentExistsException.* → a runner with that name is registered: pick another --runner-name, or remove it with scaleset runners remove <name>$/,
    );
    expect(again.code).toBe(2);
  });
});

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminExchange, bearer, nextMessage, type SessionJson } from "../helpers/start-emulator.js";

const run = promisify(execFile);
const CLI = ["--import", "tsx", join(import.meta.dirname, "../../src/cli/main.ts")];
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "emu-cli-"));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  info: { url: string; configUrl: string; token: string; controlUrl: string };
}

async function startCli(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [...CLI, "emulator", "--json", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`emulator exited ${code}`)));
  });
  return { child, info: JSON.parse(first) as Started["info"] };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  child.kill("SIGTERM");
  return exited;
}

describe("scaleset emulator and scaleset fake-runner CLIs", () => {
  it("serve a job queued with the documented curl command and complete it with a JIT blob", async () => {
    const stateFile = join(dir, "state.json");
    const { child, info } = await startCli(["--long-poll-ms", "300", "--state", stateFile]);
    const emu = { url: info.url, configUrl: info.configUrl, token: info.token } as Parameters<
      typeof adminExchange
    >[0];
    const admin = await adminExchange(emu);
    const api = (p: string) => `${admin.url}_apis/runtime/${p}?api-version=6.0-preview`;
    const set = (await (
      await fetch(api("runnerscalesets"), {
        method: "POST",
        headers: bearer(admin.token),
        body: JSON.stringify({
          name: "cli-set",
          labels: [{ type: "System", name: "linux" }],
          RunnerSetting: {},
        }),
      })
    ).json()) as { id: number };
    const session = (await (
      await fetch(api(`runnerscalesets/${set.id}/sessions`), {
        method: "POST",
        headers: bearer(admin.token),
        body: JSON.stringify({ ownerName: "cli-test" }),
      })
    ).json()) as SessionJson;

    // The command from docs/emulator.md.
    const curl = await run("curl", [
      "-sS",
      "-X",
      "POST",
      `${info.controlUrl}/jobs`,
      "-H",
      "content-type: application/json",
      "-d",
      '{"labels":["linux"],"durationMs":200}',
    ]);
    const [queued] = JSON.parse(curl.stdout) as { jobId: string; state: string }[];
    expect(queued?.state).toBe("queued");

    const assigned = await nextMessage(session, 0, 5);
    expect(assigned.jobs).toEqual([
      expect.objectContaining({ messageType: "JobAssigned", jobId: queued?.jobId }),
    ]);
    const jit = (await (
      await fetch(api(`runnerscalesets/${set.id}/generatejitconfig`), {
        method: "POST",
        headers: bearer(admin.token),
        body: JSON.stringify({ name: "cli-runner", workFolder: "" }),
      })
    ).json()) as { encodedJITConfig: string };
    const runner = await run(process.execPath, [
      ...CLI,
      "fake-runner",
      "--jitconfig",
      jit.encodedJITConfig,
    ]);
    expect(runner.stdout).toContain("completed with result: Succeeded");
    expect(runner.stdout + runner.stderr).not.toContain(jit.encodedJITConfig);

    let last = assigned.messageId;
    const types: string[] = [];
    while (!types.includes("JobCompleted")) {
      const msg = await nextMessage(session, last, 5);
      last = msg.messageId;
      types.push(...msg.jobs.map((j) => j.messageType));
    }
    expect(types).toEqual(["JobStarted", "JobCompleted"]);
    const jobs = (await (await fetch(`${info.controlUrl}/jobs`)).json()) as {
      state: string;
      result: string;
    }[];
    expect(jobs).toEqual([
      expect.objectContaining({
        state: "completed",
        result: "succeeded",
        runnerName: "cli-runner",
      }),
    ]);

    expect(await stop(child)).toBe(0);
    const saved = JSON.parse(await readFile(stateFile, "utf8")) as {
      jobs: unknown[];
      scaleSets: unknown[];
    };
    expect(saved.jobs).toHaveLength(1);
    expect(saved.scaleSets).toHaveLength(1);

    // Restart on the saved state: same port, the admin token and the session still work.
    const again = await startCli(["--long-poll-ms", "100", "--state", stateFile]);
    expect(again.info.url).toBe(info.url);
    const byId = await fetch(api(`runnerscalesets/${set.id}`), { headers: bearer(admin.token) });
    expect(byId.status).toBe(200);
    const poll = await fetch(`${session.messageQueueUrl}&lastMessageId=${last}`, {
      headers: {
        authorization: `Bearer ${session.messageQueueAccessToken}`,
        "x-scalesetmaxcapacity": "5",
      },
    });
    expect(poll.status).toBe(202);
    expect(await stop(again.child)).toBe(0);
  });

  it("rejects bad flags with exit code 2 and a one-line error naming the flag", async () => {
    const bad = await run(process.execPath, [...CLI, "emulator", "--long-poll-ms", "soon"]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect("code" in bad ? bad.code : 0).toBe(2);
    expect(bad.stderr).toContain("--long-poll-ms");
    const noJit = await run(process.execPath, [...CLI, "fake-runner"], {
      env: { ...process.env, ACTIONS_RUNNER_INPUT_JITCONFIG: "" },
    }).catch((e: { code: number; stderr: string }) => e);
    expect("code" in noJit ? noJit.code : 0).toBe(2);
    expect(noJit.stderr).toContain("--jitconfig");
  });
});

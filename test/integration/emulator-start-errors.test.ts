import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";

const CLI = ["--import", "tsx", join(import.meta.dirname, "../../src/cli/main.ts")];

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `scaleset emulator …` in a child process; one that starts after all is stopped after 10 s. */
function emulatorCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...CLI, "emulator", ...args],
      { timeout: 10_000, killSignal: "SIGTERM" },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        resolve({ code: typeof code === "number" ? code : null, stdout, stderr });
      },
    );
  });
}

let dir: string;
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "emu-start-errors-"));
  busy = createServer();
  busyPort = await new Promise<number>((resolve) =>
    busy.listen(0, "127.0.0.1", () => resolve((busy.address() as { port: number }).port)),
  );
});
afterAll(async () => {
  await new Promise((r) => busy.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe("scaleset emulator with options it cannot use", () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    [
      "a port out of range",
      () => ["--port", "99999"],
      /^scaleset: --port must be a port number \(0-65535\), got "99999"$/,
    ],
    [
      "a port in use",
      () => ["--port", String(busyPort)],
      /^scaleset: --port: 127\.0\.0\.1:\d+ is in use; pick another port or 0 for a random one$/,
    ],
    [
      "a host that does not resolve",
      () => ["--host", "no-such-host.invalid"],
      /^scaleset: --host: cannot listen on "no-such-host\.invalid" \((ENOTFOUND|EAI_AGAIN|EAI_FAIL)\)$/,
    ],
    [
      "a state file in a missing directory",
      () => ["--state", join(dir, "missing", "state.json")],
      /^scaleset: --state: cannot write .*missing\/state\.json \(ENOENT\)$/,
    ],
    [
      "a state file that is not JSON",
      () => ["--state", join(dir, "garbage.json")],
      /^scaleset: --state: .*garbage\.json is not an emulator state file/,
    ],
    [
      "a record file in a missing directory",
      () => ["--record", join(dir, "missing", "requests.jsonl")],
      /^scaleset: --record: cannot write .*missing\/requests\.jsonl \(ENOENT\)$/,
    ],
    [
      "a public key file that holds no PEM key",
      () => ["--app-id", "1", "--app-public-key", join(dir, "garbage.json")],
      /^scaleset: --app-public-key: .*garbage\.json holds no PEM public key$/,
    ],
    ["an empty token", () => ["--token", ""], /^scaleset: --token: must not be empty/],
  ];

  it.each(cases)(
    "%s: one line on stderr naming the flag, exit 2, nothing printed as listening",
    async (_what, args, expected) => {
      await writeFile(join(dir, "garbage.json"), "garbage\n");
      const result = await emulatorCli(args());
      expect(result.stdout).toBe("");
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(expected);
      expect(result.code).toBe(2);
    },
  );
});

describe("startEmulator with files it cannot use", () => {
  it("rejects (instead of crashing the process later) for an unwritable state or record file", async () => {
    await expect(startEmulator({ stateFile: join(dir, "missing", "state.json") })).rejects.toThrow(
      /^stateFile: cannot write .*state\.json \(ENOENT\)$/,
    );
    await expect(
      startEmulator({ recordFile: join(dir, "missing", "requests.jsonl") }),
    ).rejects.toThrow(/^recordFile: cannot write .*requests\.jsonl \(ENOENT\)$/);
  });

  it("rejects a port in use and leaves no file open or temp file behind", async () => {
    const stateFile = join(dir, "kept", "state.json");
    await rm(join(dir, "kept"), { recursive: true, force: true });
    await import("node:fs/promises").then((fs) => fs.mkdir(join(dir, "kept")));
    await expect(
      startEmulator({ port: busyPort, stateFile, recordFile: join(dir, "kept", "r.jsonl") }),
    ).rejects.toThrow(/^port: 127\.0\.0\.1:\d+ is in use/);
    expect((await readdir(join(dir, "kept"))).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("still starts, saves and restores with a writable state file", async () => {
    const stateFile = join(dir, "ok-state.json");
    const first = await startEmulator({ stateFile, tokens: ["ghp_a"] });
    first.queueJobs({ labels: ["linux"] });
    await first.close();
    const second = await startEmulator({ stateFile, tokens: ["ghp_a"] });
    expect(second.listJobs()).toHaveLength(1);
    await second.close();
  });
});

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = ["--import", "tsx", join(import.meta.dirname, "../../src/cli/main.ts")];
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "emu-cli-tls-"));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

/** GET `url` trusting only `ca`; resolves with the status. */
function getWithCa(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("scaleset emulator --tls", () => {
  it("saves its CA certificate with --ca-file (and prints it in --json), so clients can trust it", async () => {
    const caFile = join(dir, "ca.pem");
    const child = spawn(
      process.execPath,
      [...CLI, "emulator", "--tls", "--ca-file", caFile, "--json"],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    children.push(child);
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", resolve);
      child.once("exit", (code) => reject(new Error(`emulator exited ${code}`)));
    });
    const info = JSON.parse(first) as { controlUrl: string; caFile?: string; caPem?: string };
    const ca = await readFile(caFile, "utf8");
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(info.caFile).toBe(caFile);
    expect(info.caPem).toBe(ca);
    expect(await getWithCa(info.controlUrl, ca)).toBe(200);
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  });

  it("refuses --ca-file without --tls (exit 2, one line naming the flag)", async () => {
    const result = await new Promise<{ code: unknown; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [...CLI, "emulator", "--ca-file", join(dir, "x.pem")],
        { timeout: 10_000 },
        (err, _stdout, stderr) =>
          resolve({ code: err ? (err as { code?: unknown }).code : 0, stderr }),
      );
    });
    expect(result.stderr.trimEnd()).toBe(
      "scaleset: --ca-file: only with --tls (the CA of its self-signed certificate)",
    );
    expect(result.code).toBe(2);
  });
});

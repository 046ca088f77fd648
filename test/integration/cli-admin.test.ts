import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScaleSetClient } from "../../src/client/index.js";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source in a child process, without the caller's SCALESET_* / GITHUB_TOKEN. */
function scaleset(args: string[]): Promise<CliResult> {
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

const WRONG = "ghp_wrong0000000000000";
/** A second token the emulator accepts, for config entries with credentials of their own. */
const OTHER = "ghp_other0000000000000";
const dir = mkdtempSync(join(tmpdir(), "scaleset-cli-admin-"));
let emulator: Emulator;
let good: string[];
let wrong: string[];
/** Config files whose entries have their own url and token (see writeConfigs). */
const configs = { checks: "", noTop: "", twice: "" };

/** Writes the per-entry connection config files against the emulator. */
function writeConfigs(): void {
  const enterprise = `${emulator.url}/enterprises/acme`;
  const write = (name: keyof typeof configs, lines: string[]) => {
    configs[name] = join(dir, `${name}.yaml`);
    writeFileSync(configs[name], `${lines.join("\n")}\n`);
  };
  // Three connections: the org with the top-level token, one failing, and the enterprise.
  write("checks", [
    `url: ${emulator.configUrl}`,
    `token: ${emulator.token}`,
    "scaleSets:",
    "  - name: linux",
    "  - name: doomed",
    "  - name: broken",
    `    url: ${emulator.url}/enterprises/broken`,
    `    token: ${WRONG}`,
    "  - name: ent",
    `    url: ${enterprise}`,
    `    token: ${OTHER}`,
  ]);
  // No top-level connection: each entry's own is the only one there is.
  write("noTop", [
    "scaleSets:",
    "  - name: linux",
    `    url: ${emulator.configUrl}`,
    `    token: ${emulator.token}`,
    "  - name: doomed",
    `    url: ${enterprise}`,
    `    token: ${OTHER}`,
  ]);
  write("twice", [
    `token: ${OTHER}`,
    "scaleSets:",
    "  - name: linux",
    `    url: ${emulator.configUrl}`,
    "  - name: linux",
    `    url: ${enterprise}`,
  ]);
}

beforeAll(async () => {
  emulator = await startEmulator({ longPollMs: 100, tokens: ["ghp_first0000000000000", OTHER] });
  writeConfigs();
  good = ["--url", emulator.configUrl, "--token", emulator.token];
  wrong = ["--url", emulator.configUrl, "--token", WRONG];
  const client = ScaleSetClient.withToken({ configUrl: emulator.configUrl, token: emulator.token });
  await client.createRunnerScaleSet({ name: "linux", runnerGroupId: 1, labels: [{ name: "x64" }] });
  await client.createRunnerScaleSet({ name: "doomed", runnerGroupId: 1 });
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

/** No token, JWT or JIT config (JWTs and JIT blobs are base64 JSON: "eyJ…") in `text`. */
function expectNoSecret(text: string, what: string): void {
  for (const secret of [emulator.token, WRONG, OTHER, "eyJ"])
    expect(text, what).not.toContain(secret);
}

describe("admin commands against the emulator", () => {
  it("answer with good credentials, and exit 2 with one line naming the fix on bad input", async () => {
    const cases: Array<[string, () => string[]]> = [
      ["doctor", () => ["doctor", ...good, "--name", "linux"]],
      ["doctor wrong token", () => ["doctor", ...wrong]],
      ["doctor unknown group", () => ["doctor", ...good, "--runner-group", "gpu"]],
      ["doctor unreachable", () => ["doctor", "--url", "http://127.0.0.1:1/org", "--token", WRONG]],
      ["list", () => ["scale-sets", "list", ...good, "--name", "linux,nosuch"]],
      ["get json", () => ["scale-sets", "get", "linux", ...good, "--json"]],
      ["get missing", () => ["scale-sets", "get", "nosuch", ...good]],
      ["get wrong token", () => ["scale-sets", "get", "linux", ...wrong]],
      ["delete unconfirmed", () => ["scale-sets", "delete", "doomed", ...good]],
      ["runners wrong token", () => ["runners", "remove", "r1", ...wrong]],
      ["runners remove missing", () => ["runners", "remove", "nosuch", ...good]],
      ["jit", () => ["jit", ...good, "--name", "linux", "--runner-name", "by-hand"]],
      ["jit wrong token", () => ["jit", ...wrong, "--name", "linux"]],
      ["run wrong token", () => ["run", ...wrong, "--name", "linux", "--log-level", "silent"]],
      [
        "run metrics port taken",
        () => [
          "run",
          ...good,
          "--name",
          "linux-metrics",
          "--metrics-addr",
          new URL(emulator.url).host,
        ],
      ],
      ["doctor config", () => ["doctor", "--config", configs.checks]],
      ["doctor config name", () => ["doctor", "--config", configs.checks, "--name", "ent"]],
      ["list config", () => ["scale-sets", "list", "--config", configs.noTop]],
      ["get config", () => ["scale-sets", "get", "doomed", "--config", configs.noTop, "--json"]],
      ["get twice", () => ["scale-sets", "get", "linux", "--config", configs.twice]],
      ["runners twice", () => ["runners", "list", "--config", configs.twice, "--name", "linux"]],
      [
        "get twice picked",
        () => [
          "scale-sets",
          "get",
          "linux",
          "--config",
          configs.twice,
          "--url",
          emulator.configUrl,
        ],
      ],
    ];
    const results = new Map(
      await Promise.all(cases.map(async ([what, args]) => [what, await scaleset(args())] as const)),
    );
    const result = (what: string) => results.get(what) as CliResult;
    const oneLine = (what: string, pattern: RegExp) => {
      const r = result(what);
      expect(r.stderr.trimEnd().split("\n"), what).toHaveLength(1);
      expect(r.stderr, what).toMatch(pattern);
      expect(r.code, what).toBe(2);
    };

    expect(result("doctor")).toMatchObject({ code: 0, stderr: "" });
    expect(result("doctor").stdout).toContain('✓ scale set "linux" (id 1, labels x64)');
    expect(result("doctor wrong token")).toMatchObject({ code: 1 });
    expect(result("doctor wrong token").stdout).toMatch(/✗ .*401.*\n {4}→ check --token/);
    expect(result("doctor unknown group").stdout).toMatch(/✗ .*"gpu".*\n {4}→ create the runner/);
    expect(result("doctor unreachable").stdout).toMatch(/✗ .*ECONNREFUSED.*\n {4}→ cannot reach/);
    expect(result("list")).toMatchObject({ code: 0, stderr: "" });
    // RUNNERS is 0 or 1: the jit case registers a runner at the same time.
    expect(result("list").stdout).toMatch(/^1\tlinux\tx64\t0\t0\t[01]$/m);
    expect(result("list").stdout).toMatch(/^-\tnosuch\t\(not found\)$/m);
    expect(JSON.parse(result("get json").stdout)).toMatchObject({ id: 1, name: "linux" });
    oneLine("get missing", /^scaleset: scale set "nosuch" not found .*; check the name or/);
    oneLine("get wrong token", /^scaleset: .*401.* → check --token \/ GITHUB_TOKEN/);
    oneLine("delete unconfirmed", /^scaleset: --yes: confirm deleting scale set "doomed"/);
    oneLine("runners wrong token", /^scaleset: .*401.* → check --token/);
    oneLine(
      "runners remove missing",
      /^scaleset: runner "nosuch" not found; scaleset runners list/,
    );
    oneLine("jit wrong token", /^scaleset: .*401.* → check --token/);
    oneLine("run wrong token", /^scaleset: .*401.* → check --token/);
    oneLine(
      "run metrics port taken",
      /^scaleset: --metrics-addr: 127\.0\.0\.1:\d+ is in use; pick/,
    );
    expect(emulator.listScaleSets().map((s) => s.name)).toContain("doomed");

    // A config whose entries have their own url and token: doctor checks each distinct
    // connection (two scale sets on the top-level one), going on after one fails.
    const doctor = result("doctor config");
    expect(doctor).toMatchObject({ code: 1, stderr: "" });
    const host = new URL(emulator.url).host;
    expect(doctor.stdout.split("\n\n")).toEqual([
      expect.stringMatching(
        new RegExp(
          `^✓ config URL: organization emulated-org on ${host} \\(linux, doomed\\)\n✓ credentials: personal access token\n✓ token exchange .*\n✓ runner group "default"`,
        ),
      ),
      expect.stringMatching(
        /^✓ config URL: enterprise broken on .* \(broken\)\n.*\n✗ .*401.*\n {4}→ check --token/,
      ),
      expect.stringMatching(/^✓ config URL: enterprise acme on .* \(ent\)\n(✓ .*\n){3}$/),
    ]);
    expect(result("doctor config name")).toMatchObject({ code: 0, stderr: "" });
    expect(result("doctor config name").stdout).toMatch(/^✓ config URL: enterprise acme on /);
    expect(result("list config")).toMatchObject({ code: 0, stderr: "" });
    expect(result("list config").stdout).toMatch(/^1\tlinux\tx64\t/m);
    expect(result("list config").stdout).toMatch(/^2\tdoomed\t/m);
    expect(JSON.parse(result("get config").stdout)).toMatchObject({ id: 2, name: "doomed" });
    oneLine(
      "get twice",
      /^scaleset: scale set "linux": in scaleSets\[0\] and scaleSets\[1\] at different URLs; give --url to pick one\n$/,
    );
    oneLine(
      "runners twice",
      /^scaleset: scale set "linux": in scaleSets\[0\] and scaleSets\[1\] at /,
    );
    expect(result("get twice picked")).toMatchObject({ code: 0, stderr: "" });
    expect(result("get twice picked").stdout).toMatch(/^name: {7}linux$/m);

    // jit prints the JIT config on stdout (its job) and nothing secret anywhere else.
    const jit = result("jit");
    expect(jit.code).toBe(0);
    expect(jit.stdout.trimEnd().split("\n")).toHaveLength(1);
    expect(JSON.parse(Buffer.from(jit.stdout, "base64").toString())).toHaveProperty([".runner"]);
    expect(jit.stderr).toBe("runner by-hand (id 1) registered in scale set linux\n");
    expectNoSecret(jit.stderr, "jit");
    for (const [what, r] of results) {
      if (what !== "jit") expectNoSecret(r.stdout + r.stderr, what);
    }
  });

  it("deletes a scale set only when confirmed with --yes", async () => {
    const r = await scaleset(["scale-sets", "delete", "doomed", ...good, "--yes"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^deleted scale set doomed \(id \d+\)$/m);
    expect(emulator.listScaleSets().map((s) => s.name)).not.toContain("doomed");
  });
});

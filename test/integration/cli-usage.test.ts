import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

function scaleset(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const cleanEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("SCALESET_") && k !== "GITHUB_TOKEN"),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { cwd: repoRoot, env: { ...cleanEnv, ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
      },
    );
  });
}

const dir = mkdtempSync(join(tmpdir(), "scaleset-cli-"));
const badConfig = join(dir, "bad.yaml");
writeFileSync(
  badConfig,
  "url: https://github.com/org\ntoken: ghp_from_file_0000\nname: x\nmaxRunnerz: 3\n",
);
const ok = ["--url", "https://github.com/my-org", "--name", "linux"];

describe("scaleset run with bad input", () => {
  it("prints one line naming the field and exits 2", async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [ok, {}, /^scaleset: credentials: missing; give --token/],
      [
        ["--url", "github.com/", "--name", "x", "--token", "ghp_0000000000"],
        {},
        /^scaleset: --url: "github\.com\/" is not/,
      ],
      [
        [...ok, "--min-runners", "5", "--max-runners", "2"],
        { GITHUB_TOKEN: "ghp_0000000000" },
        /^scaleset: --min-runners: 5 is above --max-runners \(2\)$/,
      ],
      [
        [
          ...ok,
          "--app-client-id",
          "Iv1.x",
          "--app-installation-id",
          "3",
          "--app-private-key-file",
          join(dir, "missing.pem"),
        ],
        {},
        /^scaleset: --app-private-key-file: cannot read ".*missing\.pem" \(ENOENT\)$/,
      ],
      [
        ["--config", badConfig],
        {},
        /^scaleset: config file .*bad\.yaml: unknown key "maxRunnerz"$/,
      ],
    ];
    const results = await Promise.all(cases.map(([args, env]) => scaleset(["run", ...args], env)));
    results.forEach((result, i) => {
      const lines = result.stderr.trim().split("\n");
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(cases[i]?.[2] ?? /never/);
      expect(result.code).toBe(2);
      expect(result.stderr).not.toContain("ghp_");
    });
  });

  it("shows help with examples for every command", async () => {
    const commands = [
      ["run"],
      ["demo"],
      ["scale-sets"],
      ["runners"],
      ["jit"],
      ["doctor"],
    ];
    const results = await Promise.all(commands.map((c) => scaleset([...c, "--help"])));
    results.forEach((result, i) => {
      expect(result.code, commands[i]?.join(" ")).toBe(0);
      expect(result.stdout).toContain("Usage: scaleset");
    });
    for (const i of [0, 1, 2, 3, 4, 5]) expect(results[i]?.stdout).toContain("Examples:");
  });
});

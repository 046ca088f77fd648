import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source in a child process, without the caller's SCALESET_* / GITHUB_TOKEN. */
function scaleset(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const cleanEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("SCALESET_") && k !== "GITHUB_TOKEN"),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { cwd: repoRoot, env: { ...cleanEnv, ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        resolve({ code: typeof code === "number" ? code : -1, stdout, stderr });
      },
    );
  });
}

const dir = mkdtempSync(join(tmpdir(), "scaleset-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const badConfig = join(dir, "bad.yaml");
writeFileSync(
  badConfig,
  "url: https://github.com/org\ntoken: ghp_from_file_0000\nname: x\nmaxRunnerz: 3\n",
);
mkdirSync(join(dir, "empty-runner"));
mkdirSync(join(dir, "noexec-runner"));
writeFileSync(join(dir, "noexec-runner", "run.sh"), "#!/bin/sh\n", { mode: 0o644 });

const TOKEN = "ghp_secret0000000000";
const KEY = "not-a-pem-but-secret-key-material";
/** PEM armour around bytes that are not base64 (was: "The string to be decoded is not correctly encoded", exit 1). */
const badKey = join(dir, "bad-key.pem");
writeFileSync(badKey, `-----BEGIN RSA PRIVATE KEY-----\n${KEY}!\n-----END RSA PRIVATE KEY-----\n`);
/** A second organization whose entry mixes a token with App keys. */
const mixedConfig = join(dir, "mixed.yaml");
writeFileSync(
  mixedConfig,
  [
    "url: https://github.com/org",
    "token: ghp_from_file_0000",
    "scaleSets:",
    "  - name: a",
    "  - name: b",
    "    url: https://github.com/other-org",
    `    token: ${TOKEN}`,
    `    appPrivateKey: ${KEY}`,
  ].join("\n"),
);
const ok = ["--url", "https://github.com/my-org", "--name", "linux"];
const tok = ["--token", TOKEN];
const app = ["--app-client-id", "Iv1.x", "--app-installation-id", "3"];

/** [what, argv, env, the expected single stderr line]. */
const BAD_INPUT: Array<[string, string[], Record<string, string>, RegExp]> = [
  [
    "missing credential",
    ["run", ...ok],
    {},
    /^scaleset: credentials: missing; give --token \(or GITHUB_TOKEN\) or a GitHub App/,
  ],
  [
    "malformed URL",
    ["run", "--url", "github.com/", "--name", "x", ...tok],
    {},
    /^scaleset: --url: "github\.com\/" is not a GitHub .* \(e\.g\. https:\/\/github\.com\/my-org\)$/,
  ],
  [
    "--min-runners above --max-runners",
    ["run", ...ok, "--min-runners", "5", "--max-runners", "2"],
    { GITHUB_TOKEN: TOKEN },
    /^scaleset: --min-runners: 5 is above --max-runners \(2\)$/,
  ],
  [
    "unreadable key file",
    ["run", ...ok, ...app, "--app-private-key-file", join(dir, "missing.pem")],
    {},
    /^scaleset: --app-private-key-file: cannot read ".*missing\.pem" \(ENOENT\)$/,
  ],
  [
    "key that is not PEM",
    ["run", ...ok, ...app, "--app-private-key", KEY],
    {},
    /^scaleset: --app-private-key: is not a usable key; expected a PEM RSA private key, as downloaded from the GitHub App settings$/,
  ],
  [
    "key file that is not an RSA key",
    ["run", ...ok, ...app, "--app-private-key-file", badKey],
    {},
    /^scaleset: --app-private-key-file: ".*bad-key\.pem" is not a usable key; expected a PEM RSA private key, as downloaded from the GitHub App settings$/,
  ],
  [
    "unknown config key",
    ["run", "--config", badConfig],
    {},
    /^scaleset: config file .*bad\.yaml: maxRunnerz: unknown key; did you mean maxRunners\?$/,
  ],
  [
    "bad --drain-timeout",
    ["run", ...ok, ...tok, "--drain-timeout", "5x"],
    {},
    /^scaleset: --drain-timeout: "5x" is not a duration \(90s, 10m or seconds\)$/,
  ],
  [
    "bad --metrics-addr",
    ["run", ...ok, ...tok, "--metrics-addr", "localhost:99999"],
    {},
    /^scaleset: --metrics-addr: "localhost:99999" is not host:port$/,
  ],
  [
    "non-numeric --max-runners",
    ["run", ...ok, ...tok, "--max-runners", "ten"],
    {},
    /^scaleset: --max-runners: must be a whole number, got "ten"$/,
  ],
  [
    "non-numeric env var",
    ["run", ...ok, ...tok],
    { SCALESET_MIN_RUNNERS: "1.5" },
    /^scaleset: SCALESET_MIN_RUNNERS: must be a whole number, got "1\.5"$/,
  ],
  [
    "unknown provider",
    ["run", ...ok, ...tok, "--provider", "k8s"],
    {},
    /^scaleset: option '--provider <type>' argument 'k8s' is invalid\. Allowed choices are docker, process\. \(see scaleset run --help\)$/,
  ],
  [
    "runner dir without run.sh",
    ["run", ...ok, ...tok, "--provider", "process", "--runner-dir", join(dir, "empty-runner")],
    {},
    /^scaleset: --runner-dir: ".*empty-runner" has no run\.sh; unpack the actions\/runner release there$/,
  ],
  [
    "runner dir whose run.sh is not executable",
    ["run", ...ok, ...tok, "--provider", "process", "--runner-dir", join(dir, "noexec-runner")],
    {},
    /^scaleset: --runner-dir: ".*noexec-runner\/run\.sh" is not executable; chmod \+x .*noexec-runner\/run\.sh$/,
  ],
  [
    "unknown option",
    ["run", ...ok, ...tok, "--max-runner", "3"],
    {},
    /^scaleset: unknown option '--max-runner' \(Did you mean --max-runners\?\) \(see scaleset run --help\)$/,
  ],
  ["unknown command", ["scale-set"], {}, /^scaleset: unknown command 'scale-set'.*--help\)$/],
  [
    "missing argument",
    ["scale-sets", "get", ...tok],
    {},
    /^scaleset: missing required argument 'name-or-id' \(see scaleset scale-sets get --help\)$/,
  ],
  [
    "doctor without credentials",
    ["doctor", "--url", "https://github.com/my-org"],
    {},
    /^scaleset: credentials: missing; give --token/,
  ],
  [
    "entry with a token and App keys",
    ["run", "--config", mixedConfig],
    {},
    /^scaleset: scaleSets\[1\]\.appPrivateKey: set together with token; give this entry either a token or GitHub App keys$/,
  ],
  [
    "doctor with an entry with a token and App keys",
    ["doctor", "--config", mixedConfig],
    {},
    /^scaleset: scaleSets\[1\]\.appPrivateKey: set together with token; /,
  ],
  ["jit without --name", ["jit", ...ok.slice(0, 2), ...tok], {}, /^scaleset: --name: missing/],
  [
    "demo --jobs 0",
    ["demo", "--jobs", "0"],
    {},
    /^scaleset: --jobs: must be a whole number of 1 or more, got "0"$/,
  ],
];

describe("the CLI with bad input", () => {
  it("prints one line naming the flag and the fix, exits 2, and echoes no secret", async () => {
    const results = await Promise.all(BAD_INPUT.map(([, args, env]) => scaleset(args, env)));
    results.forEach((result, i) => {
      const [what, , , expected] = BAD_INPUT[i] as (typeof BAD_INPUT)[number];
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines, what).toHaveLength(1);
      expect(lines[0], what).toMatch(expected);
      expect(result.code, what).toBe(2);
      expect(result.stdout, what).toBe("");
      for (const secret of [TOKEN, KEY, "ghp_from_file"]) {
        expect(result.stderr, what).not.toContain(secret);
      }
    });
  });
});

describe("the CLI's help", () => {
  it("shows usage and examples for every command", async () => {
    const commands = [
      ["run"],
      ["demo"],
      ["scale-sets"],
      ["runners"],
      ["jit"],
      ["doctor"],
      ["scale-sets", "list"],
      ["scale-sets", "get"],
      ["scale-sets", "delete"],
      ["runners", "list"],
      ["runners", "remove"],
      [],
    ];
    const results = await Promise.all(commands.map((c) => scaleset([...c, "--help"])));
    results.forEach((result, i) => {
      const command = `scaleset ${commands[i]?.join(" ")}`.trim();
      expect(result.code, command).toBe(0);
      expect(result.stdout, command).toContain(`Usage: ${command} `);
      if (commands[i]?.length) expect(result.stdout, command).toContain("Examples:");
    });
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { parseDuration, parseHostPort } from "./duration.js";

const tmp = mkdtempSync(join(tmpdir(), "scaleset-config-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const runnerDir = join(tmp, "runner");
mkdirSync(runnerDir);
writeFileSync(join(runnerDir, "run.sh"), "#!/bin/sh\n");

const base = { url: "https://github.com/my-org", token: "ghp_secret_token_value", name: "linux" };

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected an error");
}

describe("loadConfig", () => {
  it("builds one frozen scale set from flags with defaults", () => {
    const config = loadConfig({ flags: { ...base, labels: "a, b", maxRunners: "4" }, env: {} });
    expect(config.scaleSets).toEqual([
      {
        name: "linux",
        labels: ["a", "b"],
        runnerGroup: "default",
        minRunners: 0,
        maxRunners: 4,
        provider: expect.objectContaining({
          type: "docker",
          image: "ghcr.io/actions/actions-runner:latest",
        }),
      },
    ]);
    expect(config.auth).toEqual({ kind: "token", token: base.token });
    expect(Object.isFrozen(config.scaleSets[0])).toBe(true);
  });

  it("lets flags override the environment, and the environment the file", () => {
    const dir = tmp;
    const file = join(dir, "c.yaml");
    writeFileSync(
      file,
      "url: https://github.com/from-file\nname: file\nminRunners: 1\nmaxRunners: 3\n",
    );
    const config = loadConfig({
      flags: { config: file, maxRunners: "5" },
      env: { GITHUB_TOKEN: "ghp_env_token_value", SCALESET_NAME: "env" },
    });
    expect(config.url).toBe("https://github.com/from-file");
    expect(config.scaleSets[0]).toMatchObject({ name: "env", minRunners: 1, maxRunners: 5 });
  });

  it("reads several scale sets from a file, each with its own provider", () => {
    const dir = tmp;
    const file = join(dir, "several.yaml");
    writeFileSync(
      file,
      [
        "url: https://github.com/org",
        "token: ghp_file_token_value",
        "scaleSets:",
        "  - name: a",
        "    provider: process",
        `    runnerDir: ${runnerDir}`,
        "  - name: b",
        "    runnerImage: img:1",
        "    docker: { network: host }",
      ].join("\n"),
    );
    const config = loadConfig({ flags: { config: file }, env: {} });
    expect(config.scaleSets.map((s) => s.provider.type)).toEqual(["process", "docker"]);
    expect(config.scaleSets[1]?.provider).toMatchObject({ image: "img:1", network: "host" });
  });

  it("names the field in one line for each kind of bad input", () => {
    expect(errorOf(() => loadConfig({ flags: { url: base.url, name: "x" }, env: {} }))).toMatch(
      /^credentials: missing/,
    );
    expect(errorOf(() => loadConfig({ flags: { ...base, url: "not a url" }, env: {} }))).toMatch(
      /^--url: /,
    );
    expect(
      errorOf(() => loadConfig({ flags: { ...base, minRunners: "5", maxRunners: "2" }, env: {} })),
    ).toBe("--min-runners: 5 is above --max-runners (2)");
    expect(
      errorOf(() =>
        loadConfig({
          flags: {
            url: base.url,
            name: "x",
            appClientId: "1",
            appInstallationId: "2",
            appPrivateKeyFile: "/nope/key.pem",
          },
          env: {},
        }),
      ),
    ).toBe('--app-private-key-file: cannot read "/nope/key.pem" (ENOENT)');
    const dir = tmp;
    const file = join(dir, "unknown-key.yaml");
    writeFileSync(file, "url: https://github.com/org\nmaxRunnerz: 3\n");
    expect(errorOf(() => loadConfig({ flags: { config: file }, env: {} }))).toBe(
      `config file ${file}: unknown key "maxRunnerz"`,
    );
    expect(errorOf(() => loadConfig({ flags: { ...base, minRunners: "x" }, env: {} }))).toBe(
      '--min-runners: must be a whole number, got "x"',
    );
    expect(
      errorOf(() =>
        loadConfig({ flags: { ...base, provider: "process", runnerDir: tmp }, env: {} }),
      ),
    ).toBe(`--runner-dir: "${tmp}" has no run.sh; unpack the actions/runner release there`);
  });

  it("never echoes the token or key in an error", () => {
    const message = errorOf(() =>
      loadConfig({
        flags: {
          url: base.url,
          name: "x",
          appClientId: "1",
          appInstallationId: "2",
          appPrivateKey: "super-secret-key",
        },
        env: {},
      }),
    );
    expect(message).toBe("--app-private-key: is not a PEM private key");
  });
});

describe("durations and addresses", () => {
  it("parses 90s, 10m, 1h, 500ms and plain seconds", () => {
    expect(["90s", "10m", "1h", "500ms", "30", 2].map((d) => parseDuration(d))).toEqual([
      90_000, 600_000, 3_600_000, 500, 30_000, 2000,
    ]);
    expect(parseDuration("soon")).toBeUndefined();
  });

  it("parses host:port and :port", () => {
    expect(parseHostPort("127.0.0.1:9090")).toEqual({ host: "127.0.0.1", port: 9090 });
    expect(parseHostPort(":0")).toEqual({ host: "0.0.0.0", port: 0 });
    expect(parseHostPort("nope")).toBeUndefined();
  });
});

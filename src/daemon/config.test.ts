import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig, loadConnection, loadConnections } from "./config.js";
import { connectionOf } from "./config-schema.js";
import { parseDuration, parseHostPort } from "./duration.js";

const tmp = mkdtempSync(join(tmpdir(), "scaleset-config-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const runnerDir = join(tmp, "runner");
mkdirSync(runnerDir);
writeFileSync(join(runnerDir, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });

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
        url: base.url,
        auth: { kind: "token", token: base.token },
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
      `config file ${file}: maxRunnerz: unknown key; did you mean maxRunners?`,
    );
    writeFileSync(file, "url: https://github.com/org\ntoken: [ghp_secret_in_yaml\nname: x\n");
    expect(errorOf(() => loadConfig({ flags: { config: file }, env: {} }))).toBe(
      `--config: "${file}" is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1`,
    );
    expect(errorOf(() => loadConfig({ flags: { ...base, minRunners: "x" }, env: {} }))).toBe(
      '--min-runners: must be a whole number, got "x"',
    );
    expect(
      errorOf(() =>
        loadConfig({ flags: { ...base, provider: "process", runnerDir: tmp }, env: {} }),
      ),
    ).toBe(`--runner-dir: "${tmp}" has no run.sh; unpack the actions/runner release there`);
    const notExecutable = join(tmp, "runner-no-x");
    mkdirSync(notExecutable);
    writeFileSync(join(notExecutable, "run.sh"), "#!/bin/sh\n", { mode: 0o644 });
    expect(
      errorOf(() =>
        loadConfig({ flags: { ...base, provider: "process", runnerDir: notExecutable }, env: {} }),
      ),
    ).toBe(
      `--runner-dir: "${notExecutable}/run.sh" is not executable; chmod +x ${notExecutable}/run.sh`,
    );
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
    expect(message).toBe(
      "--app-private-key: is not a usable key; expected a PEM RSA private key, as downloaded from the GitHub App settings",
    );
  });

  it("refuses an App key that is not a PEM RSA private key at load, naming the flag, echoing no key", () => {
    const app = { url: base.url, name: "x", appClientId: "1", appInstallationId: "2" };
    const expected =
      "not a usable key; expected a PEM RSA private key, as downloaded from the GitHub App settings";
    const { privateKey: ec } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const bad = {
      // The PEM armour around bytes that are not base64: once "The string to be decoded is not correctly encoded".
      "not base64": "-----BEGIN RSA PRIVATE KEY-----\nsecret!*key\n-----END RSA PRIVATE KEY-----\n",
      "not a key":
        "-----BEGIN PRIVATE KEY-----\nc2VjcmV0a2V5bWF0ZXJpYWw=\n-----END PRIVATE KEY-----\n",
      "an EC key": ec.export({ type: "pkcs8", format: "pem" }) as string,
    };
    for (const [what, pem] of Object.entries(bad)) {
      const file = join(tmp, `bad-key-${what.replaceAll(" ", "-")}.pem`);
      writeFileSync(file, pem);
      const fromFile = errorOf(() =>
        loadConfig({ flags: { ...app, appPrivateKeyFile: file }, env: {} }),
      );
      expect(fromFile, what).toBe(`--app-private-key-file: "${file}" is ${expected}`);
      const inline = errorOf(() => loadConfig({ flags: { ...app, appPrivateKey: pem }, env: {} }));
      expect(inline, what).toBe(`--app-private-key: is ${expected}`);
      for (const line of pem.split("\n").slice(1, -2)) {
        expect(fromFile).not.toContain(line);
        expect(inline).not.toContain(line);
      }
    }
    // Both forms GitHub has handed out load: PKCS#1 (BEGIN RSA PRIVATE KEY) and PKCS#8.
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    for (const type of ["pkcs1", "pkcs8"] as const) {
      const pem = privateKey.export({ type, format: "pem" }) as string;
      const config = loadConfig({ flags: { ...app, appPrivateKey: pem }, env: {} });
      expect(config.auth).toEqual({
        kind: "app",
        clientId: "1",
        installationId: 2,
        privateKey: pem,
      });
    }
  });
});

describe("per-entry connections", () => {
  /** A real RSA key per tag (config validation parses keys), the same each call. */
  const keys = new Map<string, string>();
  const pem = (tag: string) => {
    let key = keys.get(tag);
    if (key === undefined) {
      key = generateKeyPairSync("rsa", { modulusLength: 2048 })
        .privateKey.export({ type: "pkcs1", format: "pem" })
        .toString();
      keys.set(tag, key);
    }
    return key;
  };
  /** A line of a key's base64 body: what an error must never contain. */
  const keyLine = (tag: string) => pem(tag).split("\n")[1] as string;
  const topKey = join(tmp, "top.pem");
  const ownKey = join(tmp, "own.pem");
  writeFileSync(topKey, pem("top-app-key-material"));
  writeFileSync(ownKey, pem("own-app-key-material"));
  const SECRETS = [
    "ghp_top_secret_0000",
    "ghp_entry_secret_1111",
    keyLine("top-app-key-material"),
    keyLine("own-app-key-material"),
    "inline-secret-key-material",
  ];
  let files = 0;
  /** Writes `lines` as a config file and loads it (no env). */
  const load = (lines: string[], env: NodeJS.ProcessEnv = {}) => {
    const file = join(tmp, `conn-${files++}.yaml`);
    writeFileSync(file, `${lines.join("\n")}\n`);
    return loadConfig({ flags: { config: file }, env });
  };
  const fileError = (lines: string[]) => {
    const message = errorOf(() => load(lines));
    for (const secret of SECRETS) expect(message).not.toContain(secret);
    return message;
  };
  const top = [
    "url: https://github.com/org-a",
    "token: ghp_top_secret_0000",
    "appClientId: Iv1.top",
    `appPrivateKeyFile: ${topKey}`,
    "scaleSets:",
  ];

  it("takes each entry's url and credentials, else the top level's", () => {
    const config = load([
      ...top,
      "  - name: inherits",
      "  - name: own-token",
      "    url: https://github.com/org-b",
      "    token: ghp_entry_secret_1111",
      "  - name: own-url",
      "    url: https://github.com/org-c/repo",
      "  - name: top-app-elsewhere",
      "    url: https://github.com/org-d",
      "    appInstallationId: 42",
      "  - name: own-app",
      "    url: https://github.com/enterprises/acme",
      "    appClientId: Iv1.own",
      "    appInstallationId: 7",
      `    appPrivateKeyFile: ${ownKey}`,
      "  - name: inherits-too",
    ]);
    const sets = config.scaleSets.map((s) => ({ name: s.name, ...connectionOf(config, s) }));
    const topToken = { kind: "token", token: "ghp_top_secret_0000" };
    expect(sets).toEqual([
      { name: "inherits", url: "https://github.com/org-a", auth: topToken },
      {
        name: "own-token",
        url: "https://github.com/org-b",
        auth: { kind: "token", token: "ghp_entry_secret_1111" },
      },
      { name: "own-url", url: "https://github.com/org-c/repo", auth: topToken },
      {
        name: "top-app-elsewhere",
        url: "https://github.com/org-d",
        auth: {
          kind: "app",
          clientId: "Iv1.top",
          installationId: 42,
          privateKey: pem("top-app-key-material"),
        },
      },
      {
        name: "own-app",
        url: "https://github.com/enterprises/acme",
        auth: {
          kind: "app",
          clientId: "Iv1.own",
          installationId: 7,
          privateKey: pem("own-app-key-material"),
        },
      },
      { name: "inherits-too", url: "https://github.com/org-a", auth: topToken },
    ]);
    // The first scale set's connection is the config's default one.
    expect({ url: config.url, auth: config.auth }).toEqual({ url: sets[0]?.url, auth: topToken });
    expect(Object.isFrozen(config.scaleSets[1]?.auth)).toBe(true);
  });

  it("lets flags and env set the defaults an entry's own keys override", () => {
    const file = join(tmp, "flags-defaults.yaml");
    writeFileSync(
      file,
      [
        "scaleSets:",
        "  - name: a",
        "  - name: b",
        "    url: https://github.com/org-b",
        "    token: ghp_entry_secret_1111",
      ].join("\n"),
    );
    const config = loadConfig({
      flags: { config: file, url: "https://github.com/org-a" },
      env: { GITHUB_TOKEN: "ghp_top_secret_0000" },
    });
    expect(config.scaleSets.map((s) => [s.url, s.auth])).toEqual([
      ["https://github.com/org-a", { kind: "token", token: "ghp_top_secret_0000" }],
      ["https://github.com/org-b", { kind: "token", token: "ghp_entry_secret_1111" }],
    ]);
  });

  it("allows one name at several URLs but not twice at one URL", () => {
    const config = load([
      ...top,
      "  - name: linux",
      "  - name: linux",
      "    url: https://github.com/org-b",
    ]);
    expect(config.scaleSets.map((s) => [s.name, s.url])).toEqual([
      ["linux", "https://github.com/org-a"],
      ["linux", "https://github.com/org-b"],
    ]);
    // A trailing slash or other case still names the same organization.
    expect(
      fileError([
        ...top,
        "  - name: linux",
        "  - name: linux",
        "    url: https://github.com/ORG-A/",
      ]),
    ).toBe(
      'scaleSets[1].name: "linux" is configured twice (also scaleSets[0], at the same url); give it another name',
    );
    // Same name, process provider: the default work dir would be shared.
    const process = ["    provider: process", `    runnerDir: ${runnerDir}`];
    expect(
      fileError([
        ...top,
        "  - name: linux",
        ...process,
        "  - name: linux",
        "    url: https://github.com/org-b",
        ...process,
      ]),
    ).toMatch(
      /^scaleSets\[1\]\.workDir: ".*linux" is also the work dir of scaleSets\[0\] \(same name\); set a workDir of its own$/,
    );
  });

  it("names the entry's key and the fix for each incoherent connection, echoing no secret", () => {
    const noTop = ["scaleSets:"];
    const cases: Array<[string[], string]> = [
      [
        [
          ...noTop,
          "  - name: a",
          "    url: https://github.com/org-a",
          "    token: ghp_entry_secret_1111",
          "  - name: b",
        ],
        "scaleSets[1].url: missing; set it in this entry, or url at the top level (--url, SCALESET_URL)",
      ],
      [
        [
          "url: https://github.com/org-a",
          ...noTop,
          "  - name: a",
          "    token: ghp_entry_secret_1111",
          "  - name: b",
        ],
        "scaleSets[1]: no credentials; set token (or appClientId, appInstallationId and appPrivateKeyFile) in this entry or at the top level",
      ],
      [
        ["url: https://github.com/org-a", ...noTop, "  - name: a", "  - name: b"],
        "credentials: missing; give --token (or GITHUB_TOKEN) or a GitHub App (--app-client-id, --app-installation-id, --app-private-key-file)",
      ],
      [
        [...top, "  - name: a", "    url: github.com/org-b"],
        'scaleSets[0].url: "github.com/org-b" is not a GitHub organization, repository or enterprise URL (e.g. https://github.com/my-org)',
      ],
      [
        [...top, "  - name: a", "    token: ghp_entry_secret_1111", "    appInstallationId: 3"],
        "scaleSets[0].appInstallationId: set together with token; give this entry either a token or GitHub App keys",
      ],
      [
        [...top, "  - name: a", "    appClientId: Iv1.own", `    appPrivateKeyFile: ${ownKey}`],
        "scaleSets[0].appInstallationId: missing (needed for GitHub App auth)",
      ],
      [
        [...top, "  - name: a", "    appInstallationId: 3", `    appPrivateKeyFile: ${ownKey}`],
        "scaleSets[0].appClientId: missing (needed for GitHub App auth)",
      ],
      [
        [...top, "  - name: a", "    appClientId: Iv1.own", "    appInstallationId: 3"],
        "scaleSets[0].appPrivateKey: missing; give it or appPrivateKeyFile",
      ],
      [
        [
          ...top,
          "  - name: a",
          "    appClientId: Iv1.own",
          "    appInstallationId: 3",
          "    appPrivateKey: inline-secret-key-material",
        ],
        "scaleSets[0].appPrivateKey: is not a usable key; expected a PEM RSA private key, as downloaded from the GitHub App settings",
      ],
      [
        [
          ...top,
          "  - name: a",
          "    appClientId: Iv1.own",
          "    appInstallationId: 3",
          "    appPrivateKeyFile: /nope/key.pem",
        ],
        'scaleSets[0].appPrivateKeyFile: cannot read "/nope/key.pem" (ENOENT)',
      ],
      [
        [
          "url: https://github.com/org-a",
          "token: ghp_top_secret_0000",
          ...noTop,
          "  - name: a",
          "    appInstallationId: 3",
        ],
        "scaleSets[0].appInstallationId: needs a GitHub App: set appClientId and appPrivateKeyFile in this entry or at the top level",
      ],
    ];
    for (const [lines, expected] of cases)
      expect(fileError(lines), lines.join("; ")).toBe(expected);
  });

  it("names the file and the key path of schema errors in an entry", () => {
    const bad = (entry: string[]) => {
      const message = fileError([...top, "  - name: a", ...entry]);
      return message.replace(/^config file \S+conn-\d+\.yaml: /, "config file FILE: ");
    };
    expect(bad(["    appInstallationId: abc"])).toBe(
      "config file FILE: scaleSets[0].appInstallationId: expected number, received string",
    );
    expect(bad(["    token: 1234567"])).toBe(
      "config file FILE: scaleSets[0].token: expected string, received number",
    );
    expect(bad(["    tokn: ghp_entry_secret_1111"])).toBe(
      "config file FILE: scaleSets[0].tokn: unknown key; did you mean token?",
    );
    expect(bad(["    provder: process"])).toBe(
      "config file FILE: scaleSets[0].provder: unknown key; did you mean provider?",
    );
    expect(bad(["    docker: { netwrk: host }"])).toBe(
      "config file FILE: scaleSets[0].docker.netwrk: unknown key; did you mean network?",
    );
    expect(bad(["    docker: { gpus: all }"])).toBe(
      "config file FILE: scaleSets[0].docker.gpus: unknown key; the keys here are network, env, volumes, socketPath",
    );
    expect(bad(["    colour: blue"])).toBe(
      "config file FILE: scaleSets[0].colour: unknown key; docs/configuration.md lists the keys",
    );
  });

  it("gives the admin commands the connection of a named entry, or every distinct one", () => {
    const file = join(tmp, "admin.yaml");
    writeFileSync(
      file,
      [
        ...top,
        "  - name: a",
        "  - name: b",
        "  - name: linux",
        "    url: https://github.com/org-b",
        "    token: ghp_entry_secret_1111",
        "  - name: linux",
        "    url: https://github.com/org-c",
        "    token: ghp_entry_secret_1111",
        "  - name: c",
        "    url: https://github.com/org-b",
        "    token: ghp_entry_secret_1111",
      ].join("\n"),
    );
    const options = { flags: { config: file }, env: {} };
    expect(loadConnection(options).url).toBe("https://github.com/org-a");
    expect(loadConnection(options, "a").url).toBe("https://github.com/org-a");
    expect(loadConnection(options, "c")).toEqual({
      url: "https://github.com/org-b",
      auth: { kind: "token", token: "ghp_entry_secret_1111" },
    });
    expect(loadConnection(options, "no-such-entry").url).toBe("https://github.com/org-a");
    expect(errorOf(() => loadConnection(options, "linux"))).toBe(
      'scale set "linux": in scaleSets[2] and scaleSets[3] at different URLs; give --url to pick one',
    );
    const picked = { flags: { config: file, url: "https://github.com/org-c" }, env: {} };
    expect(loadConnection(picked, "linux").url).toBe("https://github.com/org-c");
    expect(loadConnections(options).map((c) => [c.url, c.auth.kind, c.scaleSets])).toEqual([
      ["https://github.com/org-a", "token", ["a", "b"]],
      ["https://github.com/org-b", "token", ["linux", "c"]],
      ["https://github.com/org-c", "token", ["linux"]],
    ]);
  });

  it("loads the several-organizations example of docs/configuration.md", () => {
    const doc = readFileSync(join(import.meta.dirname, "../../docs/configuration.md"), "utf8");
    const at = doc.indexOf("### Several organizations in one daemon");
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc.slice(at))?.[1];
    expect(at).toBeGreaterThan(0);
    const keyDir = join(tmp, "keys");
    mkdirSync(keyDir, { recursive: true });
    writeFileSync(join(keyDir, "app.pem"), pem("doc-app"));
    writeFileSync(join(keyDir, "acme-app.pem"), pem("doc-acme-app"));
    const file = join(tmp, "doc-example.yaml");
    writeFileSync(file, (yaml ?? "").replaceAll("/etc/scaleset/", `${keyDir}/`));
    const config = loadConfig({ flags: { config: file }, env: {} });
    expect(
      config.scaleSets.map((s) => [
        s.name,
        s.url,
        s.auth?.kind === "app" ? `app ${s.auth.clientId}/${s.auth.installationId}` : s.auth?.kind,
      ]),
    ).toEqual([
      ["linux", "https://github.com/org-a", "app Iv1.abc/123"],
      ["linux", "https://github.com/org-b", "app Iv1.abc/456"],
      ["gpu", "https://github.com/org-b", "app Iv1.abc/456"],
      ["build", "https://github.com/enterprises/acme", "app Iv1.def/789"],
      ["linux", "https://github.com/org-c/website", "token"],
    ]);
    // org-b's two entries share one connection object (so one client at run time).
    expect(config.scaleSets[2]?.auth).toBe(config.scaleSets[1]?.auth);
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

import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerCommands } from "../src/cli/commands/index.js";
import { ScaleSetClient } from "../src/client/index.js";
import { loadConfig } from "../src/daemon/config.js";
import { rawConfigSchema } from "../src/daemon/config-schema.js";
import { DaemonMetrics } from "../src/daemon/metrics.js";
import { decodeJitConfig } from "../src/emulator/fake-runner/jit.js";
import { runFakeRunner } from "../src/emulator/fake-runner/run.js";
import { type Emulator, startEmulator } from "../src/emulator/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(join(root, "README.md"), "utf8");
const configDoc = readFileSync(join(root, "docs/configuration.md"), "utf8");
const exportsMap = (
  JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    exports: Record<string, { default: string }>;
  }
).exports;

/** The first ```lang block after `heading`. */
function codeBlock(heading: string, lang = "ts", text = readme): string {
  const at = text.indexOf(heading);
  const match = new RegExp(`\`\`\`${lang}\n([\\s\\S]*?)\`\`\``).exec(text.slice(at));
  if (at < 0 || !match?.[1]) throw new Error(`no ts block under "${heading}" in README.md`);
  return match[1];
}

/** `scaleset/listener` → the source file behind that package export (so no build is needed). */
function sourceOf(specifier: string): string {
  const entry = exportsMap[specifier === "scaleset" ? "." : `./${specifier.slice(9)}`];
  if (!entry) throw new Error(`README imports "${specifier}", which package.json does not export`);
  return join(root, entry.default.replace(/^\.\/dist\//, "src/"));
}

/**
 * Turns the README block into a module whose default export runs it with the free variables it
 * uses (`token`, and `process`/`console` so the test can stop it and read what it prints).
 */
function exampleModule(code: string, configUrl: string): string {
  const imports: string[] = [];
  const body = code.replace(/^import (.+) from "([^"]+)";\n/gm, (_line, what, from) => {
    imports.push(`import ${what} from ${JSON.stringify(sourceOf(from))};`);
    return "";
  });
  expect(body).toContain('"https://github.com/my-org"');
  return [
    ...imports,
    "export default async function example({ token, process, console }: {",
    '  token: string; process: Pick<NodeJS.Process, "once">; console: Pick<Console, "log">;',
    "}): Promise<void> {",
    body.replaceAll('"https://github.com/my-org"', JSON.stringify(configUrl)),
    "}",
  ].join("\n");
}

let emulator: Emulator;
const dir = mkdtempSync(join(tmpdir(), "scaleset-readme-"));
beforeAll(async () => {
  emulator = await startEmulator({ longPollMs: 100 });
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Type-checks `file` with the repo's compiler options (strict, exactOptionalPropertyTypes, …). */
function typecheck(file: string): Promise<string> {
  const tsconfig = join(dir, "tsconfig.json");
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(root, "tsconfig.json"),
      compilerOptions: { typeRoots: [join(root, "node_modules/@types")] },
      include: [],
      files: [file],
    }),
  );
  return new Promise((resolve) => {
    execFile(join(root, "node_modules/.bin/tsc"), ["-p", tsconfig], (_err, stdout, stderr) =>
      resolve(stdout + stderr),
    );
  });
}

describe("README", () => {
  it("library example creates the scale set, sees a job through and stops on SIGTERM", async () => {
    const file = join(dir, "example.mts");
    writeFileSync(file, exampleModule(codeBlock("## Using the library"), emulator.configUrl));
    const typeErrors = typecheck(file);
    const { default: example } = (await import(file)) as {
      default: (vars: { token: string; process: unknown; console: unknown }) => Promise<void>;
    };

    const printed: string[] = [];
    let sigterm: (() => void) | undefined;
    const running = example({
      token: emulator.token,
      process: { once: (_signal: string, fn: () => void) => (sigterm = fn) },
      console: { log: (line: string) => printed.push(line) },
    });

    // Waits, failing at once if the example throws or returns before SIGTERM.
    const early = running.then(() => {
      throw new Error("the example returned before SIGTERM");
    });
    const until = <T>(probe: () => T | undefined | false) =>
      Promise.race([emulator.waitFor(probe), early]);

    const set = await until(() => emulator.listScaleSets().find((s) => s.name === "my-set"));
    await until(() => emulator.listSessions().length === 1);
    const [job] = emulator.queueJobs({ labels: ["my-set"], durationMs: 50 });
    await until(() => printed.includes("1 job(s) assigned"));

    // Play the runner the example's comment tells users to start.
    const client = ScaleSetClient.withToken({
      configUrl: emulator.configUrl,
      token: emulator.token,
    });
    const jit = await client.generateJitRunnerConfig(set.id, { name: "readme-runner" });
    expect(await runFakeRunner(decodeJitConfig(jit.encodedJITConfig))).toBe(0);
    await until(() => printed.includes(`job ${job?.jobId} succeeded`));
    expect(printed).toContain(`job ${job?.jobId} started on readme-runner`);

    sigterm?.();
    await running;
    expect(emulator.listSessions()).toEqual([]);
    expect(await typeErrors).toBe("");
  });
});

describe("README's daemon section", () => {
  it("YAML configs of the README and docs/configuration.md load as written", () => {
    const runnerDir = join(dir, "actions-runner");
    mkdirSync(runnerDir, { recursive: true });
    writeFileSync(join(runnerDir, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
    const key = join(dir, "app.pem");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(key, privateKey.export({ type: "pkcs1", format: "pem" }));
    // Paths swapped for local ones.
    const load = (yaml: string) => {
      const file = join(dir, "scaleset.yaml");
      writeFileSync(
        file,
        yaml.replace("/etc/scaleset/app.pem", key).replace("/opt/actions-runner", runnerDir),
      );
      return loadConfig({ flags: { config: file }, env: {} });
    };
    for (const config of [
      load(codeBlock("## Running the autoscaler against GitHub", "yaml")),
      load(codeBlock("### Example", "yaml", configDoc)),
    ]) {
      expect(config.scaleSets.map((s) => [s.name, s.provider.type, s.maxRunners])).toEqual([
        ["linux-docker", "docker", 50],
        ["linux-process", "process", 4],
      ]);
      expect(config.metricsAddr).toEqual({ host: "0.0.0.0", port: 9090 });
    }
  });

  it("docs/configuration.md lists every config key and every metric", async () => {
    const keys = Object.keys(rawConfigSchema.shape);
    expect(keys.filter((key) => !configDoc.includes(`\`${key}\``))).toEqual([]);
    const metrics = (await new DaemonMetrics("https://github.com/org").registry.getMetricsAsJSON())
      .map((m) => m.name)
      .filter((name) => !configDoc.includes(`\`${name}\``));
    expect(metrics).toEqual([]);
  });

  it("mentions only flags some command has", async () => {
    const program = new Command("scaleset");
    await registerCommands(program);
    const flags = new Set(["--help"]);
    const collect = (command: Command) => {
      for (const option of command.options) if (option.long) flags.add(option.long);
      for (const sub of command.commands) collect(sub);
    };
    collect(program);
    const mentioned = new Set(readme.match(/(?<![\w-])--[a-z][a-z-]*/g));
    expect([...mentioned].filter((flag) => !flags.has(flag))).toEqual([]);
  });
});

/**
 * `npm run compat`: builds the Go driver, runs every scenario through the reference Go client
 * and through our TypeScript client, each against a fresh recording emulator, compares the
 * two recordings request by request and writes compat/report.md.
 *
 * Exit code: 0 when Go is absent (said so), or when the Go client passed every scenario, every
 * TS twin passed and every difference is listed in compat/intended-differences.json; 1 otherwise.
 * @module
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createFakeRunnerDir,
  type Emulator,
  type EmulatorOptions,
  startEmulator,
} from "../src/emulator/index.js";
import { compareLoose, compareStrict, findIntended, type IntendedDifference } from "./compare.js";
import { buildGoDriver, goAvailable, runGoScenario, type ScenarioResult } from "./go-driver.js";
import { applyHook } from "./hooks.js";
import { type Finding, renderReport, type ScenarioOutcome } from "./report.js";
import { SCENARIOS, type ScenarioDefinition } from "./scenarios/index.js";
import { readTrace } from "./trace.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, "out");
const JOBS = 5;
const APP = { clientId: "Iv1.compat0000000001", installationId: 4242 };

async function referenceVersion(): Promise<string> {
  const mod = await readFile(join(HERE, "go", "go.mod"), "utf8");
  return /github\.com\/actions\/scaleset (\S+)/.exec(mod)?.[1] ?? "unknown";
}

interface RunSetup {
  publicKeyPem: string;
  privateKeyPem: string;
  keyFile: string;
  runnerCmd: string;
}

function emulatorOptions(s: ScenarioDefinition, setup: RunSetup, recordFile: string) {
  const options: EmulatorOptions = {
    mode: s.mode,
    longPollMs: 500,
    ...s.emulator,
    recordFile,
    app: { ...APP, publicKeyPem: setup.publicKeyPem },
  };
  return options;
}

async function withEmulator<T>(
  options: EmulatorOptions,
  fn: (emulator: Emulator) => Promise<T>,
): Promise<T> {
  const emulator = await startEmulator(options);
  try {
    return await fn(emulator);
  } finally {
    await emulator.close();
  }
}

async function runGo(s: ScenarioDefinition, setup: RunSetup): Promise<ScenarioResult> {
  const options = emulatorOptions(s, setup, join(OUT, `go-${s.name}.jsonl`));
  return withEmulator(options, async (emulator) => {
    let caFile: string | undefined;
    if (emulator.caPem) {
      caFile = join(OUT, `ca-${s.name}.pem`);
      await writeFile(caFile, emulator.caPem);
    }
    return runGoScenario({
      scenario: s.name,
      configUrl: emulator.configUrl,
      token: emulator.token,
      appClientId: APP.clientId,
      appInstallationId: APP.installationId,
      appKeyFile: setup.keyFile,
      runnerCmd: setup.runnerCmd,
      caFile,
      jobs: JOBS,
      logFile: join(OUT, `go-${s.name}.log`),
      timeoutMs: s.timeoutMs,
      onHook: (name, args) => applyHook(emulator, name, args),
    });
  });
}

async function runTs(s: ScenarioDefinition, setup: RunSetup): Promise<ScenarioResult> {
  const options = emulatorOptions(s, setup, join(OUT, `ts-${s.name}.jsonl`));
  return withEmulator(options, async (emulator) => {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`timed out after ${s.timeoutMs} ms`)),
      s.timeoutMs,
    );
    const started = Date.now();
    try {
      const details = await s.run({
        configUrl: emulator.configUrl,
        token: emulator.token,
        app: { ...APP, privateKey: setup.privateKeyPem },
        runnerCmd: setup.runnerCmd,
        caPem: emulator.caPem,
        jobs: JOBS,
        runnerLog: join(OUT, `ts-${s.name}.log`),
        hook: async (name, args) => applyHook(emulator, name, args),
        signal: controller.signal,
      });
      return {
        name: s.name,
        ok: true,
        durationMs: Date.now() - started,
        ...(details ? { details } : {}),
      };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      return { name: s.name, ok: false, durationMs: Date.now() - started, error };
    } finally {
      clearTimeout(timer);
    }
  });
}

async function main(): Promise<number> {
  if (!goAvailable()) {
    console.log("compat: `go` is not on PATH; skipping the Go conformance run (exit 0).");
    return 0;
  }
  const startedAt = Date.now();
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  console.log("compat: building the Go driver…");
  const goVersion = buildGoDriver();

  // A fresh GitHub App key per run; the emulator gets the public half.
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  const keyFile = join(OUT, "app-key.pem");
  await writeFile(keyFile, privateKey, { mode: 0o600 });
  const runnerDir = await createFakeRunnerDir(join(OUT, "runner"));
  const setup: RunSetup = {
    publicKeyPem: publicKey,
    privateKeyPem: privateKey,
    keyFile,
    runnerCmd: runnerDir.endsWith("run.sh") ? runnerDir : join(runnerDir, "run.sh"),
  };
  const intended = JSON.parse(
    await readFile(join(HERE, "intended-differences.json"), "utf8"),
  ) as IntendedDifference[];

  const outcomes: ScenarioOutcome[] = [];
  try {
    for (const s of SCENARIOS) {
      const go = await runGo(s, setup);
      console.log(`  go ${s.name}: ${go.ok ? "pass" : `FAIL ${go.error}`}`);
      const ts = await runTs(s, setup);
      console.log(`  ts ${s.name}: ${ts.ok ? "pass" : `FAIL ${ts.error}`}`);
      const goTrace = await readTrace(join(OUT, `go-${s.name}.jsonl`));
      const tsTrace = await readTrace(join(OUT, `ts-${s.name}.jsonl`));
      const compare = s.comparison === "strict" ? compareStrict : compareLoose;
      const differences = compare(s.name, goTrace, tsTrace).map((diff) => ({
        diff,
        intended: findIntended(diff, intended),
      }));
      outcomes.push({
        name: s.name,
        description: s.description,
        comparison: s.comparison,
        go,
        ts,
        goTrace,
        tsTrace,
        differences,
      });
    }
  } finally {
    await rm(keyFile, { force: true });
  }

  const findings = JSON.parse(await readFile(join(HERE, "findings.json"), "utf8")) as Finding[];
  const report = renderReport({
    findings,
    referenceVersion: await referenceVersion(),
    goVersion,
    nodeVersion: process.versions.node,
    outcomes,
    elapsedMs: Date.now() - startedAt,
  });
  await writeFile(join(HERE, "report.md"), report);

  const goFailed = outcomes.filter((o) => !o.go.ok).map((o) => o.name);
  const tsFailed = outcomes.filter((o) => !o.ts.ok).map((o) => o.name);
  const unlisted = outcomes.flatMap((o) => o.differences.filter((d) => !d.intended));
  for (const { diff } of unlisted) {
    console.log(
      `  UNLISTED ${diff.scenario}/${diff.operation}#${diff.index} ${diff.field}: go=${JSON.stringify(diff.go)} ts=${JSON.stringify(diff.ts)}`,
    );
  }
  console.log(
    `compat: Go failed: [${goFailed.join(", ")}]; TS failed: [${tsFailed.join(", ")}]; unlisted differences: ${unlisted.length}; report: compat/report.md (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`,
  );
  return goFailed.length > 0 || tsFailed.length > 0 || unlisted.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error("compat:", err);
    process.exitCode = 1;
  },
);

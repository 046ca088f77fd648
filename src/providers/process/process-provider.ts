/**
 * The process provider: each runner is `<runner-dir>/run.sh` started from its own fresh copy of
 * the runner directory, detached in its own process group.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, constants, openSync } from "node:fs";
import { access, cp, type FileHandle, mkdir, open, rm } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import type {
  ProviderContext,
  ProvisionedRunner,
  RunnerProvider,
  RunnerSpec,
} from "../../autoscaler/provider.js";
import { throwIfAborted } from "../../util/abort.js";
import { type Logger, silentLogger } from "../../util/logger.js";
import { errorMessage, ProviderError } from "../errors.js";
import { assertValidRunnerName, isValidRunnerName } from "../runner-name.js";
import { RUNNER_OUTPUT_TAIL_BYTES, scrubLongTokens, tailText } from "../runner-output.js";
import { killTree } from "./kill-tree.js";
import { type ProcStat, readProcStat, scanProcesses } from "./proc-stat.js";
import { type RunnerRecord, RunnerStateStore } from "./runner-state.js";
import { leaderAlive, type RunnerTree, runnerMembers } from "./runner-tree.js";

/** The env var the runner reads its `--jitconfig` from. */
export const JIT_CONFIG_ENV = "ACTIONS_RUNNER_INPUT_JITCONFIG";

/** Variables passed from the daemon's environment by default (never its credentials). */
export const DEFAULT_INHERITED_ENV: readonly string[] = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LC_ALL",
  "TZ",
  "TMPDIR",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  // CA settings, so runners trust what the daemon trusts (a private CA, a TLS emulator).
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
];

// Runs run.sh and records its exit code beside the state, so it survives a daemon crash.
// $1 = the runner's copy, $2 = exit-code file. The JIT config is only in the environment.
const WRAPPER =
  'cd "$1" || exit 1; ./run.sh; code=$?; echo "$code" > "$2.tmp" && mv "$2.tmp" "$2"; exit "$code"';

/** Options of {@link ProcessProvider}. */
export interface ProcessProviderOptions {
  /** Template runner directory holding `run.sh` (e.g. the unpacked official runner tarball). */
  runnerDir: string;
  /** Root of the per-runner copies (`<workDir>/<runner-name>/`) and of the state (`<workDir>/.scaleset/`). */
  workDir: string;
  /** Extra environment for every runner. */
  env?: Record<string, string> | undefined;
  /** Names of the daemon's variables passed on. @default {@link DEFAULT_INHERITED_ENV} */
  inheritEnv?: readonly string[] | undefined;
  /** Time between SIGTERM and SIGKILL on `remove`. @default 10_000 */
  stopGraceMs?: number | undefined;
  logger?: Logger | undefined;
}

/**
 * Starts runners as local processes. `run.sh` runs from `<workDir>/<name>/` (a copy made with
 * `fs.cp`, so the official runner tarball works unchanged), gets the JIT config only in
 * `ACTIONS_RUNNER_INPUT_JITCONFIG` (never argv, never a file) and writes stdout/stderr to
 * `<workDir>/<name>/runner.log`. Runners are detached, so they outlive a daemon crash; pid files
 * and metadata in `<workDir>/.scaleset/` let a new instance `list` and `remove` them (the pid's
 * start time is checked, so a recycled pid is never taken for a runner). `remove` stops the
 * runner's whole tree (its process group and every descendant seen) even when run.sh or the
 * wrapper already exited, and deletes the copy only once nothing of the runner runs. Linux only
 * (`/proc`).
 * Safe to call concurrently for different runner names.
 */
export class ProcessProvider implements RunnerProvider {
  readonly name = "process";
  readonly #runnerDir: string;
  readonly #workDir: string;
  readonly #env: Record<string, string>;
  readonly #inheritEnv: readonly string[];
  readonly #stopGraceMs: number;
  readonly #logger: Logger;
  readonly #state: RunnerStateStore;
  readonly #children = new Map<string, ChildProcess>();
  readonly #exitListeners = new Set<(runner: ProvisionedRunner) => void>();
  /** Descendants seen per runner (pid → start time), loaded from the state on first use. */
  readonly #known = new Map<string, Map<number, string>>();
  /** Runners being removed: their descendants are no longer recorded. */
  readonly #removing = new Set<string>();

  constructor(options: ProcessProviderOptions) {
    this.#runnerDir = resolve(options.runnerDir);
    this.#workDir = resolve(options.workDir);
    this.#env = { ...options.env };
    this.#inheritEnv = options.inheritEnv ?? DEFAULT_INHERITED_ENV;
    this.#stopGraceMs = options.stopGraceMs ?? 10_000;
    this.#logger = options.logger ?? silentLogger;
    this.#state = new RunnerStateStore(join(this.#workDir, ".scaleset"));
    const rel = relative(this.#runnerDir, this.#workDir);
    if (rel === "" || !(rel.startsWith("..") || isAbsolute(rel))) {
      throw new ProviderError(
        `workDir ${this.#workDir} must not be inside runnerDir ${this.#runnerDir} (each runner gets a copy of runnerDir)`,
        { provider: this.name },
      );
    }
  }

  /** Copies the runner directory and launches `run.sh`; rejects with a {@link ProviderError}. */
  async start(runner: RunnerSpec, ctx: ProviderContext = {}): Promise<void> {
    assertValidRunnerName(runner.name, this.name);
    throwIfAborted(ctx.signal);
    const logger = ctx.logger ?? this.#logger;
    const existing = await this.#state.load(runner.name);
    if (existing) {
      if ((await this.#describe(existing, await scanProcesses())).state === "running") {
        throw this.#error(
          `runner ${runner.name} is already running (pid ${existing.pid})`,
          runner.name,
        );
      }
      // Leftovers of an earlier runner of that name (background processes of its job).
      await killTree(await this.#tree(existing), this.#stopGraceMs);
    }
    await this.#cleanup(runner.name);
    await access(join(this.#runnerDir, "run.sh"), constants.X_OK).catch(() => {
      throw this.#error(`no executable run.sh in runner directory ${this.#runnerDir}`, runner.name);
    });
    const dir = join(this.#workDir, runner.name);
    let pid: number | undefined;
    let startTime: string | undefined;
    try {
      await mkdir(this.#workDir, { recursive: true });
      await cp(this.#runnerDir, dir, { recursive: true, verbatimSymlinks: true });
      throwIfAborted(ctx.signal);
      const child = await this.#spawn(runner, dir);
      pid = child.pid as number;
      startTime = (await readProcStat(pid))?.startTime;
      await this.#state.save({
        name: runner.name,
        scaleSetId: runner.scaleSetId,
        labels: runner.labels,
        pid,
        procStartTime: startTime,
        startedAt: new Date().toISOString(),
        dir,
      });
      logger.info(
        { runner: runner.name, scaleSetId: runner.scaleSetId, pid },
        "runner process started",
      );
    } catch (err) {
      if (pid !== undefined) {
        await killTree({ leaderPid: pid, leaderStartTime: startTime }, 0).catch(() => {});
      }
      await this.#cleanup(runner.name).catch(() => {});
      if (ctx.signal?.aborted && err === ctx.signal.reason) throw err;
      if (err instanceof ProviderError) throw err;
      throw this.#error(
        `starting runner ${runner.name} from ${this.#runnerDir} failed: ${errorMessage(err, runner.jitConfig)}`,
        runner.name,
      );
    }
  }

  /**
   * Stops every process of the runner (its process group and every descendant seen, whether or
   * not run.sh and the wrapper still run: SIGTERM, then SIGKILL after `stopGraceMs`), then deletes
   * its copy and state.
   */
  async remove(name: string, ctx: ProviderContext = {}): Promise<void> {
    if (!isValidRunnerName(name)) return;
    this.#removing.add(name);
    try {
      const record = await this.#state.load(name);
      await this.#reportFailedExit(name, ctx.logger ?? this.#logger);
      if (record) {
        const { signalled, gone } = await killTree(await this.#tree(record), this.#stopGraceMs);
        if (!gone) throw this.#error(`runner ${name} (pid ${record.pid}) survived SIGKILL`, name);
        if (signalled > 0) {
          (ctx.logger ?? this.#logger).info(
            { runner: name, pid: record.pid, processes: signalled },
            "runner processes stopped",
          );
        }
      }
      await this.#cleanup(name);
      this.#known.delete(name);
    } finally {
      this.#removing.delete(name);
    }
  }

  /** Runners (running or exited, not yet removed) recorded for `scaleSetId`, including earlier instances'. */
  async list(scaleSetId: number, _ctx: ProviderContext = {}): Promise<ProvisionedRunner[]> {
    const records = (await this.#state.loadAll()).filter((r) => r.scaleSetId === scaleSetId);
    if (records.length === 0) return [];
    const stats = await scanProcesses();
    const out: ProvisionedRunner[] = [];
    for (const record of records) out.push(await this.#describe(record, stats));
    return out;
  }

  /** See {@link RunnerProvider.onRunnerExit}: fires for runners this instance started. */
  onRunnerExit(listener: (runner: ProvisionedRunner) => void): () => void {
    this.#exitListeners.add(listener);
    return () => this.#exitListeners.delete(listener);
  }

  /**
   * Running while the wrapper runs, or while processes of the runner remain after the wrapper was
   * killed (no exit code recorded: run.sh itself may still run). Exited once run.sh ended (exit
   * code recorded; leftover background processes are stopped by `remove`) or nothing is left.
   */
  async #describe(record: RunnerRecord, stats: ProcStat[]): Promise<ProvisionedRunner> {
    const base = { name: record.name, scaleSetId: record.scaleSetId };
    const tree = await this.#tree(record);
    const members = runnerMembers(stats, tree);
    await this.#remember(record.name, tree, members);
    if (leaderAlive(stats, tree)) return { ...base, state: "running" };
    const exitCode = await this.#state.exitCode(record.name);
    if (exitCode === undefined && members.length > 0) return { ...base, state: "running" };
    return { ...base, state: "exited", exitCode };
  }

  async #tree(record: RunnerRecord): Promise<RunnerTree> {
    let known = this.#known.get(record.name);
    if (!known) {
      known = await this.#state.loadKnown(record.name);
      this.#known.set(record.name, known);
    }
    return { leaderPid: record.pid, leaderStartTime: record.procStartTime, known };
  }

  /** Records the runner's live descendants, so they are stopped even after leaving its group. */
  async #remember(name: string, tree: RunnerTree, members: ProcStat[]): Promise<void> {
    const known = this.#known.get(name);
    if (!known || this.#removing.has(name)) return;
    let added = false;
    for (const m of members) {
      if (m.pid === tree.leaderPid || known.get(m.pid) === m.startTime) continue;
      known.set(m.pid, m.startTime);
      added = true;
    }
    const alive = new Set(members.map((m) => m.pid));
    for (const pid of [...known.keys()]) if (!alive.has(pid)) known.delete(pid);
    // A removal may have finished meanwhile: never write state for a runner that is gone.
    if (added && !this.#removing.has(name) && (await this.#state.load(name))) {
      await this.#state.saveKnown(name, known);
    }
  }

  #spawn(runner: RunnerSpec, dir: string): Promise<ChildProcess> {
    const log = openSync(join(dir, "runner.log"), "a", 0o600);
    try {
      const child = spawn(
        "/bin/sh",
        ["-c", WRAPPER, "scaleset-runner", dir, this.#state.exitFile(runner.name)],
        {
          cwd: dir,
          env: this.#runnerEnv(runner.jitConfig),
          detached: true,
          stdio: ["ignore", log, log],
        },
      );
      return new Promise((resolvePromise, reject) => {
        child.once("error", reject);
        child.once("spawn", () => {
          child.removeListener("error", reject);
          child.unref();
          this.#watch(runner, child);
          resolvePromise(child);
        });
      });
    } finally {
      closeSync(log);
    }
  }

  #watch(runner: RunnerSpec, child: ChildProcess): void {
    this.#children.set(runner.name, child);
    child.once("exit", (code) => {
      if (this.#children.get(runner.name) === child) this.#children.delete(runner.name);
      const event: ProvisionedRunner = {
        name: runner.name,
        scaleSetId: runner.scaleSetId,
        state: "exited",
        exitCode: code ?? undefined,
      };
      for (const listener of this.#exitListeners) {
        try {
          listener(event);
        } catch {
          // A listener's failure is its own business.
        }
      }
    });
  }

  #runnerEnv(jitConfig: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const key of this.#inheritEnv) {
      const value = process.env[key];
      if (value !== undefined) env[key] = value;
    }
    return { ...env, ...this.#env, [JIT_CONFIG_ENV]: jitConfig };
  }

  /**
   * A runner that ended by itself with a non-zero code takes its `runner.log` with it when its
   * copy is deleted: log the end of it first, so the cause of the failure is not lost.
   */
  async #reportFailedExit(name: string, logger: Logger): Promise<void> {
    const exitCode = await this.#state.exitCode(name);
    if (exitCode === undefined || exitCode === 0) return;
    const output = await readTail(
      join(this.#workDir, name, "runner.log"),
      RUNNER_OUTPUT_TAIL_BYTES,
    );
    if (output === undefined) return;
    logger.warn(
      { runner: name, exitCode, output: scrubLongTokens(output) },
      "runner failed; the end of its runner.log",
    );
  }

  async #cleanup(name: string): Promise<void> {
    await rm(join(this.#workDir, name), { recursive: true, force: true });
    await this.#state.delete(name);
  }

  #error(message: string, runnerName: string): ProviderError {
    return new ProviderError(message, { provider: this.name, runnerName });
  }
}

/** The end of a runner's log file (see runner-output.ts); undefined when unreadable. */
async function readTail(path: string, bytes: number): Promise<string | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, "r");
    const { size } = await handle.stat();
    const start = Math.max(0, size - bytes - 1); // one more byte: a longer file is cut at a line
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    return tailText(buffer.toString("utf8"), bytes);
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

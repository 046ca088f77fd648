/**
 * `scaleset demo`: the emulator, the daemon (autoscaler + listener + provider) and fake runners in
 * one process; queues jobs, shows progress, and checks that nothing is left behind.
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Autoscaler } from "../autoscaler/autoscaler.js";
import { createFakeRunnerDir, type Emulator, startEmulator } from "../emulator/index.js";
import { type Logger, silentLogger } from "../util/logger.js";
import type { DaemonConfig, ProviderConfig } from "./config-schema.js";
import { runDaemon } from "./daemon.js";
import { DemoProgress, type DemoSnapshot, percentiles } from "./demo-progress.js";
import { createProvider } from "./providers.js";

/** The image the docker demo runs (built by `npm run build:runner-image`). */
export const DEMO_IMAGE = "scaleset-fake-runner:local";

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** @default 20 */
  jobs?: number;
  /** @default 10 */
  maxRunners?: number;
  /** @default "process" */
  provider?: "process" | "docker";
  /** Where progress goes. @default process.stdout */
  out?: NodeJS.WritableStream;
  /** Redraw a table instead of printing lines. @default out.isTTY */
  tty?: boolean;
  /** Daemon logs (pino); secrets are redacted. @default silent */
  logger?: Logger;
  /** Gives up when no job finishes for this long. @default 60000 */
  stallTimeoutMs?: number;
  /** Interrupts the demo: it drains (busy runners finish their jobs), then resolves. */
  signal?: AbortSignal;
  /** After an interrupt: stop waiting for busy runners and remove them at once. */
  forceSignal?: AbortSignal;
}

/** What the demo did. */
export interface DemoResult {
  jobs: number;
  succeeded: number;
  runnersStarted: number;
  queueToStartMs: { median: number; p95: number } | undefined;
  elapsedMs: number;
  /** Runners still at the provider or registered at the service after the drain (the demo
   * then removes those at the provider itself). */
  leftovers: number;
  /** `signal` aborted before every job was done. */
  interrupted: boolean;
  /** The emulator token (tests grep logs for it). */
  secrets: string[];
}

/** Runs the demo end to end; resolves with a summary (and rejects only on setup failures). */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const jobs = options.jobs ?? 20;
  const maxRunners = options.maxRunners ?? 10;
  const providerType = options.provider ?? "process";
  const out = options.out ?? process.stdout;
  const progress = new DemoProgress(
    out,
    options.tty ?? (out as { isTTY?: boolean }).isTTY === true,
  );
  const tmp = await mkdtemp(join(tmpdir(), "scaleset-demo-"));
  const emulator = await startEmulator({ longPollMs: 2000 });
  try {
    const provider: ProviderConfig =
      providerType === "process"
        ? { type: "process", runnerDir: await fakeRunnerDir(tmp), workDir: join(tmp, "work") }
        : {
            type: "docker",
            image: DEMO_IMAGE,
            network: "host",
            env: {},
            volumes: [],
            socketPath: undefined,
          };
    if (providerType === "docker") await requireImage(DEMO_IMAGE);
    const config: DaemonConfig = {
      url: emulator.configUrl,
      auth: { kind: "token", token: emulator.token },
      logLevel: "info",
      logFormat: "json",
      metricsAddr: undefined,
      drainTimeoutMs: 60_000,
      deleteOnExit: true,
      scaleSets: [
        { name: "demo", labels: [], runnerGroup: "default", minRunners: 0, maxRunners, provider },
      ],
    };
    progress.line(
      `scaleset demo: ${plural(jobs, "job")}, up to ${plural(maxRunners, `${providerType} runner`)}, emulator at ${emulator.url}`,
    );
    return await drive(emulator, config, jobs, progress, options);
  } finally {
    await emulator.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

async function drive(
  emulator: Emulator,
  config: DaemonConfig,
  jobs: number,
  progress: DemoProgress,
  options: DemoOptions,
): Promise<DemoResult> {
  const started = Date.now();
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const queuedAt = new Map<string, number>();
  const waits = new Map<string, number>();
  let autoscaler: Autoscaler | undefined;
  let scaleSetId = 0;
  let onReadyResolve: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReadyResolve = resolve;
  });
  const runDaemonPromise: Promise<void> = runDaemon({
    config,
    logger: options.logger ?? silentLogger,
    signal: stop.signal,
    tuning: {
      pollIntervalMs: 500,
      exitGraceMs: 15_000,
      listener: { backoff: { minDelayMs: 100, maxDelayMs: 2000 } },
      onJobStarted: (job) => {
        const at = queuedAt.get(job.jobId);
        if (at !== undefined && !waits.has(job.jobId)) waits.set(job.jobId, Date.now() - at);
      },
    },
    onReady: (info) => {
      autoscaler = info.autoscalers[0];
      scaleSetId = info.scaleSetIds[0] ?? 0;
      onReadyResolve();
    },
  });
  void runDaemonPromise.then(onReadyResolve, onReadyResolve);
  let failure: unknown;
  let interrupted = false;
  try {
    await ready;
    if (!autoscaler) await runDaemonPromise; // startup failed: surface its error
    const specs = Array.from({ length: jobs }, (_, i) => ({
      labels: ["demo"],
      durationMs: 300 + ((i * 7919) % 2200),
      displayName: `job ${i + 1}`,
    }));
    for (const view of emulator.queueJobs(specs)) queuedAt.set(view.jobId, Date.now());
    interrupted = await watch(
      emulator,
      jobs,
      progress,
      started,
      () => autoscaler,
      stop.signal,
      options.stallTimeoutMs ?? 60_000,
    );
  } catch (err) {
    failure = err;
  } finally {
    stop.abort(new Error("demo finished"));
    options.signal?.removeEventListener("abort", onAbort);
  }
  if (interrupted) {
    const busy = autoscaler?.counts().busy ?? 0;
    progress.line(
      `interrupted: draining${busy > 0 ? `, waiting for ${busy} busy runner(s)` : ""} (interrupt again to stop them at once)`,
    );
  }
  // Always wait for the drain, even after a failure: the runners are child processes.
  const daemonError = await settleOrForce(runDaemonPromise, options.forceSignal);
  const views = emulator.listJobs();
  const leftovers =
    emulator.listRunners().length +
    (autoscaler ? (await removeLeftRunners(config, scaleSetId)).length : 0);
  if (failure !== undefined || (daemonError !== undefined && !interrupted))
    throw failure ?? daemonError;
  return {
    jobs,
    succeeded: views.filter((j) => j.state === "completed" && j.result === "succeeded").length,
    runnersStarted: autoscaler?.totals().started ?? 0,
    queueToStartMs: percentiles([...waits.values()]),
    elapsedMs: Date.now() - started,
    leftovers,
    interrupted,
    secrets: [emulator.token],
  };
}

/** Waits for the daemon's drain; `force` aborting stops waiting. Resolves with its error, if any. */
async function settleOrForce(
  daemon: Promise<void>,
  force: AbortSignal | undefined,
): Promise<unknown> {
  const settled = daemon.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!force) return settled;
  let onForce = () => {};
  const forced = new Promise<undefined>((resolve) => {
    onForce = () => resolve(undefined);
    if (force.aborted) resolve(undefined);
    else force.addEventListener("abort", onForce, { once: true });
  });
  try {
    return await Promise.race([settled, forced]);
  } finally {
    force.removeEventListener("abort", onForce);
  }
}

/** Removes whatever the drain left at the provider (stopped at once); returns what it found. */
async function removeLeftRunners(config: DaemonConfig, scaleSetId: number): Promise<string[]> {
  const provider = await createProvider(
    config.scaleSets[0]?.provider as ProviderConfig,
    silentLogger,
  );
  const left = (await provider.list(scaleSetId)).map((r) => r.name);
  await Promise.all(left.map((name) => provider.remove(name).catch(() => {})));
  return left;
}

async function watch(
  emulator: Emulator,
  total: number,
  progress: DemoProgress,
  started: number,
  autoscaler: () => Autoscaler | undefined,
  signal: AbortSignal,
  stallTimeoutMs: number,
): Promise<boolean> {
  let lastDone = -1;
  let lastChange = Date.now();
  for (;;) {
    const snapshot = sample(emulator, total, started, autoscaler());
    const finished = snapshot.done >= total;
    progress.update(snapshot, finished);
    if (finished) return false;
    if (snapshot.done !== lastDone) {
      lastDone = snapshot.done;
      lastChange = Date.now();
    }
    if (signal.aborted) return true;
    if (Date.now() - lastChange > stallTimeoutMs)
      throw new Error(`no job finished for ${stallTimeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function sample(
  emulator: Emulator,
  total: number,
  started: number,
  autoscaler: Autoscaler | undefined,
): DemoSnapshot {
  const s: DemoSnapshot = {
    elapsedMs: Date.now() - started,
    total,
    queued: 0,
    assigned: 0,
    running: 0,
    done: 0,
    runnersUp: 0,
  };
  for (const job of emulator.listJobs()) {
    if (job.state === "completed") s.done++;
    else if (job.state === "running") s.running++;
    else if (job.state === "assigned") s.assigned++;
    else s.queued++;
  }
  const c = autoscaler?.counts();
  s.runnersUp = c ? c.starting + c.idle + c.busy + c.done : 0;
  return s;
}

async function fakeRunnerDir(tmp: string): Promise<string> {
  const dir = join(tmp, "runner");
  await createFakeRunnerDir(dir);
  return dir;
}

async function requireImage(image: string): Promise<void> {
  const { default: Dockerode } = await import("dockerode");
  try {
    await new Dockerode().getImage(image).inspect();
  } catch {
    throw new Error(
      `docker image ${image} not found (or no engine); build it with: npm run build:runner-image`,
    );
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * `startEmulator()`: wires state, engine, routes and the server, and implements the
 * in-process control API.
 * @module
 */
import { createPublicKey, randomBytes } from "node:crypto";
import type { RunnerScaleSet } from "../wire/types.js";
import { createApp } from "./app.js";
import { PATHS, type ResolvedOptions, type ServiceContext, serviceBase } from "./context.js";
import { JobEngine } from "./engine.js";
import { FaultRegistry } from "./faults.js";
import { EmulatorOptionError, errorCode } from "./option-error.js";
import { isWildcardHost, listenUrl, normalizePublicUrl } from "./public-url.js";
import { RequestRecorder } from "./recorder.js";
import type { ControlApi } from "./routes/control.js";
import { removeScaleSet } from "./routes/scale-sets.js";
import { scaleSetJson } from "./scale-set-json.js";
import { type Listening, listen } from "./server.js";
import { evictSession, expireSession, isLive, sweepSessions } from "./sessions.js";
import { ServiceState } from "./state.js";
import { StateFile } from "./state-file.js";
import { TokenIssuer } from "./tokens.js";
import type { Emulator, EmulatorOptions, FaultSpec, JobSpec, JobView } from "./types.js";

function resolve(options: EmulatorOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    mode: options.mode ?? "github",
    org: options.org ?? "emulated-org",
    tokens:
      options.tokens && options.tokens.length > 0
        ? [...options.tokens]
        : [`ghp_${randomBytes(18).toString("base64url")}`],
    longPollMs: options.longPollMs ?? 50_000,
    sessionTtlMs: options.sessionTtlMs ?? 120_000,
    adminTokenTtlMs: options.adminTokenTtlMs ?? 3_600_000,
    queueTokenTtlMs: options.queueTokenTtlMs ?? 3_600_000,
    pickupTimeoutMs: options.pickupTimeoutMs ?? 300_000,
    runnerLostTimeoutMs: options.runnerLostTimeoutMs ?? 120_000,
    tls: options.tls ?? false,
  };
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65_535)
    throw new EmulatorOptionError("port", `${resolved.port} is not a port number (0-65535)`);
  if (resolved.tokens.some((t) => t === ""))
    throw new EmulatorOptionError("tokens", "must not be empty (no request could match it)");
  if (options.app) {
    try {
      createPublicKey(options.app.publicKeyPem);
    } catch (err) {
      throw new EmulatorOptionError("app", "publicKeyPem holds no PEM public key", { cause: err });
    }
    resolved.app = { ...options.app };
  }
  if (options.stateFile) resolved.stateFile = options.stateFile;
  if (options.recordFile) resolved.recordFile = options.recordFile;
  if (options.publicUrl !== undefined) resolved.publicUrl = normalizePublicUrl(options.publicUrl);
  return resolved;
}

class RunningEmulator implements Emulator, ControlApi {
  url = "";
  port = 0;
  configUrl = "";
  controlUrl = "";
  token: string;
  caPem?: string;
  readonly ctx: ServiceContext;
  private listening?: Listening;
  private recorder?: RequestRecorder;
  private stateFile?: StateFile;
  private sweeper?: ReturnType<typeof setInterval>;
  private closing?: Promise<void>;

  constructor(options: ResolvedOptions) {
    this.token = options.tokens[0] ?? "";
    const state = new ServiceState();
    const ctx = {
      options,
      url: "",
      urlFromRequest: false,
      state,
      tokens: new TokenIssuer(),
      faults: new FaultRegistry(),
    } as ServiceContext;
    ctx.engine = new JobEngine(state, {
      mode: options.mode,
      org: options.org,
      pickupTimeoutMs: options.pickupTimeoutMs,
      runnerLostTimeoutMs: options.runnerLostTimeoutMs,
      acquireJobUrl: (id) =>
        `${serviceBase(ctx.url)}_apis/runtime/runnerscalesets/${id}/acquirejobs`,
      onChange: () => this.stateFile?.scheduleSave(),
    });
    this.ctx = ctx;
  }

  /** Loads the state, opens the record file, listens and saves; undoes what it did if one fails. */
  async start(): Promise<void> {
    try {
      await this.open();
    } catch (err) {
      if (this.sweeper) clearInterval(this.sweeper);
      await this.listening?.close();
      await this.recorder?.close();
      throw err;
    }
  }

  private async open(): Promise<void> {
    const { options } = this.ctx;
    let port = options.port;
    if (options.stateFile) {
      this.stateFile = new StateFile(options.stateFile, () =>
        this.ctx.state.toSaved(this.port, this.ctx.tokens.toState()),
      );
      const saved = await this.stateFile.load();
      if (saved) {
        this.ctx.state.restore(saved);
        this.ctx.tokens.restore(saved.tokens);
        if (port === 0) port = saved.port;
      }
    }
    if (options.recordFile) this.recorder = await RequestRecorder.open(options.recordFile);
    const app = createApp(this.ctx, this, this.recorder);
    const certHosts = [options.host];
    if (options.publicUrl) certHosts.push(new URL(options.publicUrl).hostname);
    this.listening = await listen(app, options.host, port, options.tls, port !== options.port, {
      certHosts,
    }).catch((err: unknown) => {
      throw listenError(err, options.host, port);
    });
    if (this.listening.caPem !== undefined) this.caPem = this.listening.caPem;
    this.port = this.listening.port;
    this.url = options.publicUrl ?? listenUrl(options.host, this.port, options.tls);
    this.ctx.url = this.url;
    this.ctx.urlFromRequest = options.publicUrl === undefined && isWildcardHost(options.host);
    this.configUrl = `${this.url}/${options.org}`;
    this.controlUrl = `${this.url}${PATHS.control}`;
    const period = Math.max(
      10,
      Math.min(
        1000,
        options.pickupTimeoutMs / 4,
        options.sessionTtlMs / 4,
        options.runnerLostTimeoutMs / 4,
      ),
    );
    this.sweeper = setInterval(() => {
      if (sweepSessions(this.ctx)) this.stateFile?.scheduleSave();
      this.ctx.engine.sweepPickups();
      this.ctx.engine.sweepLostRunners();
    }, period);
    this.sweeper.unref();
    // Written now, so a state file that cannot be written fails the start instead of the process.
    await this.stateFile?.check();
  }

  info(): Record<string, unknown> {
    return {
      url: this.url,
      configUrl: this.configUrl,
      controlUrl: this.controlUrl,
      mode: this.ctx.options.mode,
      org: this.ctx.options.org,
    };
  }

  queueJobs(specs: JobSpec | JobSpec[]): JobView[] {
    const list = Array.isArray(specs) ? specs : [specs];
    return this.ctx.engine.queueJobs(list).map((j) => this.ctx.state.jobView(j));
  }

  listJobs(): JobView[] {
    return [...this.ctx.state.jobs.values()].map((j) => this.ctx.state.jobView(j));
  }

  listRunners() {
    return [...this.ctx.state.runners.values()].map((r) => this.ctx.state.runnerView(r));
  }

  listScaleSets(): RunnerScaleSet[] {
    return [...this.ctx.state.scaleSets.values()].map((s) => {
      const json = scaleSetJson(this.ctx, s, this.ctx.url) as unknown as RunnerScaleSet;
      return json;
    });
  }

  listSessions() {
    return [...this.ctx.state.sessions.values()]
      .filter((s) => isLive(this.ctx, s))
      .map((s) => this.ctx.state.sessionView(s));
  }

  addFault(fault: FaultSpec): string {
    return this.ctx.faults.add(fault);
  }

  listFaults(): unknown[] {
    return this.ctx.faults.list();
  }

  removeFault(id: string): boolean {
    return this.ctx.faults.remove(id);
  }

  clearFaults(): void {
    this.ctx.faults.clear();
  }

  expireTokens(kind: "admin" | "queue" | "all" = "all"): void {
    this.ctx.tokens.expire(kind);
    this.stateFile?.scheduleSave();
  }

  expireSession(scaleSetId: number): void {
    expireSession(this.ctx, scaleSetId);
    this.stateFile?.scheduleSave();
  }

  evictSession(scaleSetId: number): void {
    evictSession(this.ctx, scaleSetId);
    this.stateFile?.scheduleSave();
  }

  deleteScaleSet(id: number): void {
    if (this.ctx.state.scaleSets.has(id)) removeScaleSet(this.ctx, id);
  }

  async waitFor<T>(probe: () => T | undefined | false | null, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined && value !== false && value !== null) return value;
      if (Date.now() > deadline)
        throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.ctx.faults.stalls.notify();
    for (const q of this.ctx.state.queues.values()) q.waiters.notify();
    for (const w of this.ctx.state.runnerWaiters.values()) w.notify();
    await this.listening?.close();
    await this.stateFile?.saveNow();
    await this.recorder?.close();
  }
}

/** A listen failure as the option to change (`port` in use or not allowed, `host` unusable). */
function listenError(err: unknown, host: string, port: number): unknown {
  const code = errorCode(err);
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const because = { cause: err };
  switch (code) {
    case "EADDRINUSE":
      return new EmulatorOptionError(
        "port",
        `${where} is in use; pick another port or 0 for a random one`,
        because,
      );
    case "EACCES":
      return new EmulatorOptionError(
        "port",
        `${where} is not allowed for this user; pick a port above 1023`,
        because,
      );
    case "EADDRNOTAVAIL":
      return new EmulatorOptionError("host", `${host} is not an address of this machine`, because);
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
      return new EmulatorOptionError("host", `cannot listen on "${host}" (${code})`, because);
    default:
      return err;
  }
}

/**
 * Starts an emulator of the GitHub side on a real loopback port.
 * @throws EmulatorOptionError for an option it cannot use (port in use, unwritable state or
 * record file, …); nothing is left listening or open then.
 * @see docs/emulator.md
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new RunningEmulator(resolve(options));
  await emulator.start();
  return emulator;
}

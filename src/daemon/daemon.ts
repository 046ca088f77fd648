/**
 * The composition root of `scaleset run`: one runtime per configured scale set, the metrics and
 * health server, and the shutdown sequence (drain, delete sessions, optionally the scale sets).
 * @module
 */
import type { Autoscaler } from "../autoscaler/autoscaler.js";
import { closeSharedDispatchers, type ScaleSetClient } from "../client/index.js";
import { childLogger, type Logger } from "../util/logger.js";
import { createClient } from "./client-factory.js";
import { connectionKey } from "./config-connection.js";
import { DaemonConfigError } from "./config-error.js";
import { connectionOf, type DaemonConfig } from "./config-schema.js";
import { type HealthServer, startHealthServer } from "./health-server.js";
import { acquireInstanceLock, type InstanceLock, InstanceLockedError } from "./instance-lock.js";
import { DaemonMetrics } from "./metrics.js";
import { createProvider } from "./providers.js";
import { type RuntimeTuning, ScaleSetRuntime } from "./scale-set-runtime.js";
import { defaultStateDir, sessionIdStore, sessionStatePath } from "./session-store.js";

/** Options of {@link runDaemon}. */
export interface DaemonOptions {
  config: DaemonConfig;
  logger: Logger;
  /** Aborting starts the drain; the promise resolves once it is done. */
  signal: AbortSignal;
  tuning?: RuntimeTuning;
  /** Called once the metrics/health server listens, with its URL. */
  onMetricsListening?: (url: string) => void;
  /** Called once every scale set is reconciled and listening (and the health server is up). */
  onReady?: (info: {
    metricsUrl: string | undefined;
    scaleSetIds: number[];
    autoscalers: Autoscaler[];
  }) => void;
}

/**
 * Runs until `signal` aborts, then drains and resolves. Rejects when a scale set cannot start
 * (e.g. bad credentials) or its listener stops on an unrecoverable error, after draining the
 * others. Scale sets with the same URL and credentials share one client (one token exchange).
 * Rejects with `InstanceLockedError` before anything else while another live process on
 * this host runs one of the scale sets (a lock file per config URL and scale set name).
 */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const { config, signal } = options;
  const logger = options.logger;
  const metrics = new DaemonMetrics(config.url);
  const connections = config.scaleSets.map((set) => connectionOf(config, set));
  // With several URLs, log lines say which one (the same scale set name may be at each).
  const severalUrls = new Set(connections.map((c) => c.url)).size > 1;
  const stateDir = options.tuning?.stateDir ?? defaultStateDir();
  // Before any listener loads (and deletes) the session its scale set's state file records.
  const locks = lockScaleSets(config, connections, stateDir, logger);
  const releaseLocks = () => {
    for (const lock of locks) lock.release();
  };
  // Best effort on a second signal's process.exit; a crash leaves a stale lock the next start takes.
  process.once("exit", releaseLocks);
  const runtimes: ScaleSetRuntime[] = [];
  let server: HealthServer | undefined;
  let failure: unknown;
  const stopOnFailure = new AbortController();
  const onAbort = () => stopOnFailure.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    if (config.metricsAddr) {
      server = await startHealthServer({
        ...config.metricsAddr,
        metrics: async () => ({ body: await metrics.metrics(), contentType: metrics.contentType }),
        alive: () => ({
          ok: runtimes.every((r) => r.alive),
          detail: {
            scaleSets: runtimes.map((r, i) => ({
              name: r.config.name,
              url: connections[i]?.url,
              state: r.health?.state,
              lastPollAt: r.health?.lastPollAt,
            })),
          },
        }),
        ready: () => ({
          ok: runtimes.length === config.scaleSets.length && runtimes.every((r) => r.ready),
          detail: {
            scaleSets: runtimes.map((r, i) => ({
              name: r.config.name,
              url: connections[i]?.url,
              ready: r.ready,
            })),
          },
        }),
      }).catch((err: unknown) => {
        throw listenError(err, config.metricsAddr as { host: string; port: number });
      });
      logger.info({ url: server.url }, "metrics and health listening");
      options.onMetricsListening?.(server.url);
    }
    const keys = connections.map(connectionKey);
    const clients = new Map<string, ScaleSetClient>();
    for (const [i, set] of config.scaleSets.entries()) {
      const { url, auth } = connections[i] as (typeof connections)[number];
      const key = keys[i] as string;
      const shared = keys.filter((k) => k === key).length > 1;
      const base = severalUrls ? childLogger(logger, { url }) : logger;
      const setLogger = childLogger(base, { scaleSet: set.name });
      let client = clients.get(key);
      if (!client) {
        client = createClient({ url, auth, logger: shared ? base : setLogger });
        clients.set(key, client);
      }
      runtimes.push(
        new ScaleSetRuntime({
          config: set,
          configUrl: url,
          client,
          sharedClient: shared,
          provider: await createProvider(set.provider, setLogger),
          metrics,
          logger: base,
          store: sessionIdStore(sessionStatePath(url, set.name, stateDir)),
          tuning: options.tuning,
        }),
      );
    }
    // One scale set failing to start stops the others' starts, and all of them settle before
    // shutdown closes the shared connections under their requests.
    let startFailure: { err: unknown } | undefined;
    await Promise.all(
      runtimes.map((r) =>
        r.start(stopOnFailure.signal).catch((err: unknown) => {
          startFailure ??= { err };
          stopOnFailure.abort(err);
        }),
      ),
    );
    if (startFailure) throw startFailure.err;
    for (const runtime of runtimes) {
      runtime.listening.catch((err: unknown) => {
        failure ??= err;
        logger.error(
          { scaleSet: runtime.config.name, err: (err as Error).message },
          "listener stopped",
        );
        stopOnFailure.abort(err);
      });
    }
    logger.info(
      { scaleSets: runtimes.map((r) => ({ name: r.config.name, id: r.scaleSetId })) },
      "running",
    );
    options.onReady?.({
      metricsUrl: server?.url,
      scaleSetIds: runtimes.map((r) => r.scaleSetId ?? 0),
      autoscalers: runtimes.flatMap((r) => (r.autoscaler ? [r.autoscaler] : [])),
    });
    if (!stopOnFailure.signal.aborted) {
      await new Promise<void>((resolve) =>
        stopOnFailure.signal.addEventListener("abort", () => resolve(), { once: true }),
      );
    }
  } catch (err) {
    failure ??= err;
  } finally {
    signal.removeEventListener("abort", onAbort);
    logger.info({ drainTimeoutMs: config.drainTimeoutMs }, "shutting down");
    await Promise.all(
      runtimes.map((r) =>
        r
          .stop({ drainTimeoutMs: config.drainTimeoutMs, deleteScaleSet: config.deleteOnExit })
          .catch((err: unknown) => {
            logger.error(
              { scaleSet: r.config.name, err: (err as Error).message },
              "shutdown failed",
            );
          }),
      ),
    );
    await server?.close();
    await closeSharedDispatchers().catch(() => {});
    process.off("exit", releaseLocks);
    releaseLocks();
    logger.info({}, "stopped");
  }
  if (failure !== undefined && !signal.aborted) throw failure;
}

/** Takes every scale set's instance lock, or none (releasing those taken) and throws. */
function lockScaleSets(
  config: DaemonConfig,
  connections: ReadonlyArray<{ url: string }>,
  stateDir: string,
  logger: Logger,
): InstanceLock[] {
  const locks: InstanceLock[] = [];
  try {
    for (const [i, set] of config.scaleSets.entries()) {
      const configUrl = (connections[i] as { url: string }).url;
      locks.push(acquireInstanceLock({ configUrl, scaleSetName: set.name, stateDir }));
    }
  } catch (err) {
    for (const lock of locks) lock.release();
    if (err instanceof InstanceLockedError) throw err;
    // A read-only file system (a locked-down container) must not keep the daemon from running.
    logger.warn(
      { stateDir, err: (err as Error).message },
      "cannot keep state here: running without the one-daemon-per-scale-set lock and without deleting a crashed run's session; set SCALESET_STATE_DIR to a writable directory",
    );
    return [];
  }
  return locks;
}

/** A metrics address the daemon cannot bind is bad input: name the flag and the fix. */
function listenError(err: unknown, addr: { host: string; port: number }): unknown {
  const code = (err as { code?: string }).code;
  const why: Record<string, string> = {
    EADDRINUSE: "is in use; pick another port or stop what listens there",
    EACCES: "is not allowed for this user; pick a port above 1023",
    EADDRNOTAVAIL: "is not an address of this machine",
  };
  const reason = code === undefined ? undefined : why[code];
  return reason
    ? new DaemonConfigError("--metrics-addr", `${addr.host}:${addr.port} ${reason}`)
    : err;
}

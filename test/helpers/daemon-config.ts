/**
 * What the in-process `scaleset run` tests share: the config of one process-provider scale set
 * against an emulator, reading a metric's value, and waiting for a condition.
 */
import type { DaemonConfig } from "../../src/daemon/config-schema.js";

/** Options of {@link processDaemonConfig}. */
export interface ProcessDaemonOptions {
  emulator: { configUrl: string; token: string };
  name: string;
  runnerDir: string;
  workDir: string;
  labels?: string[];
  minRunners?: number;
  maxRunners?: number;
  drainTimeoutMs?: number;
  /** Serve /metrics on an ephemeral port (else no metrics server). */
  metrics?: boolean;
}

/** A daemon config with one scale set of process runners, token auth, JSON logs. */
export function processDaemonConfig(o: ProcessDaemonOptions): DaemonConfig {
  return {
    url: o.emulator.configUrl,
    auth: { kind: "token", token: o.emulator.token },
    logLevel: "info",
    logFormat: "json",
    metricsAddr: o.metrics ? { host: "127.0.0.1", port: 0 } : undefined,
    drainTimeoutMs: o.drainTimeoutMs ?? 5_000,
    deleteOnExit: false,
    scaleSets: [
      {
        name: o.name,
        labels: o.labels ?? [],
        runnerGroup: "default",
        minRunners: o.minRunners ?? 0,
        maxRunners: o.maxRunners ?? 2,
        provider: { type: "process", runnerDir: o.runnerDir, workDir: o.workDir },
      },
    ],
  };
}

/** The sum of a metric's samples in a Prometheus text exposition. */
export function metricValue(text: string, name: string): number {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

/** Resolves with `probe`'s first truthy value, polling every 25 ms for up to `timeoutMs`. */
export async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

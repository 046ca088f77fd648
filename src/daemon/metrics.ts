/**
 * Prometheus metrics on a dedicated prom-client `Registry`: ARC's `gha_*` listener metrics
 * (protocol-spec.md §9: names, types, labels, help, buckets) plus the daemon's own `scaleset_*`.
 * @module
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AutoscalerCounts, AutoscalerMetrics } from "../autoscaler/types.js";
import { parseConfigUrl } from "../client/config-url.js";
import type { ListenerState, MetricsRecorder } from "../listener/types.js";
import type { JobCompleted, JobStarted, RunnerScaleSetStatistic } from "../wire/types.js";

const SET_LABELS = ["enterprise", "organization", "repository", "name", "namespace"] as const;
/** Where a scale set lives: one daemon may serve several organizations, each with a `linux`. */
const WHERE_LABELS = ["enterprise", "organization", "repository", "name"] as const;
const JOB_LABELS = ["enterprise", "organization", "repository", "job_name", "event_name"] as const;
const JOB_RESULT_LABELS = [...JOB_LABELS, "job_result"] as const;
/** ARC's default histogram buckets (seconds). */
export const GHA_BUCKETS = [
  0.01, 0.05, 0.1, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 18, 20, 25, 30, 40, 50, 60, 70, 80,
  90, 100, 110, 120, 150, 180, 210, 240, 300, 360, 420, 480, 540, 600, 900, 1200, 1800, 2400, 3000,
  3600,
];
const SESSION_STATES: ListenerState[] = [
  "idle",
  "creating-session",
  "waiting-for-conflict",
  "polling",
  "handling",
  "recovering",
  "scale-set-missing",
  "closing",
  "stopped",
];
const RUNNER_STATES = ["starting", "idle", "busy", "done", "removing", "dead"] as const;

/** The hooks one scale set reports through. */
export interface ScaleSetMetrics {
  listener: MetricsRecorder;
  autoscaler: AutoscalerMetrics;
}

function gauge(registry: Registry, name: string, help: string, labels: readonly string[]) {
  return new Gauge({ name, help, labelNames: labels, registers: [registry] });
}

function seconds(from: string, to: string): number | undefined {
  const a = Date.parse(from);
  const b = Date.parse(to);
  if (!Number.isFinite(a) || !Number.isFinite(b) || a <= 0 || b <= 0 || from.startsWith("0001")) {
    return undefined;
  }
  return Math.max(0, Math.floor((b - a) / 1000));
}

/** Every metric the daemon exports, on its own registry. */
export class DaemonMetrics {
  readonly registry = new Registry();
  readonly #enterprise: string;
  readonly #organization: string;
  readonly #repository: string;
  readonly #g = {
    assigned: gauge(
      this.registry,
      "gha_assigned_jobs",
      "Number of jobs assigned to this scale set.",
      SET_LABELS,
    ),
    running: gauge(
      this.registry,
      "gha_running_jobs",
      "Number of jobs running (or about to be run).",
      SET_LABELS,
    ),
    registered: gauge(
      this.registry,
      "gha_registered_runners",
      "Number of runners registered by the scale set.",
      SET_LABELS,
    ),
    busy: gauge(
      this.registry,
      "gha_busy_runners",
      "Number of registered runners running a job.",
      SET_LABELS,
    ),
    idle: gauge(
      this.registry,
      "gha_idle_runners",
      "Number of registered runners not running a job.",
      SET_LABELS,
    ),
    min: gauge(this.registry, "gha_min_runners", "Minimum number of runners.", SET_LABELS),
    max: gauge(this.registry, "gha_max_runners", "Maximum number of runners.", SET_LABELS),
    desired: gauge(
      this.registry,
      "gha_desired_runners",
      "Number of runners desired by the scale set.",
      SET_LABELS,
    ),
    session: gauge(
      this.registry,
      "scaleset_session_state",
      "Listener session state (1 for the current state).",
      [...WHERE_LABELS, "state"],
    ),
    runners: gauge(
      this.registry,
      "scaleset_runners",
      "Runners tracked by the autoscaler, by state.",
      [...WHERE_LABELS, "state"],
    ),
  };
  readonly #started = new Counter({
    name: "gha_started_jobs_total",
    help: "Total number of jobs started.",
    labelNames: JOB_LABELS,
    registers: [this.registry],
  });
  readonly #completed = new Counter({
    name: "gha_completed_jobs_total",
    help: "Total number of jobs completed.",
    labelNames: JOB_RESULT_LABELS,
    registers: [this.registry],
  });
  readonly #startup = new Histogram({
    name: "gha_job_startup_duration_seconds",
    help: "Time spent waiting for workflow job to get started on the runner owned by the scale set (in seconds).",
    labelNames: JOB_LABELS,
    buckets: GHA_BUCKETS,
    registers: [this.registry],
  });
  readonly #execution = new Histogram({
    name: "gha_job_execution_duration_seconds",
    help: "Time spent executing workflow jobs by the scale set (in seconds).",
    labelNames: JOB_RESULT_LABELS,
    buckets: GHA_BUCKETS,
    registers: [this.registry],
  });
  readonly #startLatency = new Histogram({
    name: "scaleset_runner_start_latency_seconds",
    help: "Time from deciding to start a runner to the provider having launched it (in seconds).",
    labelNames: WHERE_LABELS,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  readonly #providerErrors = new Counter({
    name: "scaleset_provider_errors_total",
    help: "Failed provider or service calls made for runners.",
    labelNames: [...WHERE_LABELS, "provider", "operation"],
    registers: [this.registry],
  });

  /** `configUrl` gives the enterprise/organization/repository labels (the default of {@link forScaleSet}). */
  constructor(configUrl: string) {
    const parsed = parseConfigUrl(configUrl);
    this.#enterprise = parsed.enterprise;
    this.#organization = parsed.organization;
    this.#repository = parsed.repository;
  }

  /** The Prometheus text exposition of every metric. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Content-Type of {@link metrics}. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * Hooks for one scale set; sets `gha_min_runners` / `gha_max_runners` once. `configUrl` (the
   * scale set's own, when the daemon serves several) gives its enterprise/organization/repository.
   */
  forScaleSet(
    name: string,
    provider: string,
    minRunners: number,
    maxRunners: number,
    configUrl?: string,
  ): ScaleSetMetrics {
    const parsed = configUrl === undefined ? undefined : parseConfigUrl(configUrl);
    const enterprise = parsed ? parsed.enterprise : this.#enterprise;
    const where = {
      enterprise,
      organization: parsed ? parsed.organization : this.#organization,
      repository: parsed ? parsed.repository : this.#repository,
      name,
    };
    const set = { ...where, namespace: "" };
    const g = this.#g;
    g.min.set(set, minRunners);
    g.max.set(set, maxRunners);
    const job = (m: JobStarted | JobCompleted) => ({
      enterprise,
      organization: m.ownerName,
      repository: m.repositoryName,
      job_name: m.jobDisplayName,
      event_name: m.eventName,
    });
    const listener: MetricsRecorder = {
      recordStatistics: (s: RunnerScaleSetStatistic) => {
        g.assigned.set(set, s.totalAssignedJobs);
        g.running.set(set, s.totalRunningJobs);
        g.registered.set(set, s.totalRegisteredRunners);
        g.busy.set(set, s.totalBusyRunners);
        g.idle.set(set, s.totalIdleRunners);
      },
      recordDesiredRunners: (count) => g.desired.set(set, count),
      recordJobStarted: (m) => {
        this.#started.inc(job(m));
        const wait = seconds(m.scaleSetAssignTime, m.runnerAssignTime);
        if (wait !== undefined) this.#startup.observe(job(m), wait);
      },
      recordJobCompleted: (m) => {
        if (
          m.runnerAssignTime.startsWith("0001") ||
          !Number.isFinite(Date.parse(m.runnerAssignTime))
        )
          return;
        const labels = { ...job(m), job_result: m.result };
        this.#completed.inc(labels);
        const ran = seconds(m.runnerAssignTime, m.finishTime);
        if (ran !== undefined) this.#execution.observe(labels, ran);
      },
      recordSessionState: (state) => {
        for (const s of SESSION_STATES) g.session.set({ ...where, state: s }, s === state ? 1 : 0);
      },
    };
    const autoscaler: AutoscalerMetrics = {
      recordRunnerStarted: (ms) => this.#startLatency.observe(where, ms / 1000),
      recordProviderError: (operation) =>
        this.#providerErrors.inc({ ...where, provider, operation }),
      recordRunnerCounts: (c: AutoscalerCounts) => {
        for (const s of RUNNER_STATES) g.runners.set({ ...where, state: s }, c[s]);
      },
    };
    return { listener, autoscaler };
  }
}

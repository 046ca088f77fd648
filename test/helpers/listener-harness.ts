/**
 * Listener acceptance-test harness: an in-process emulator with a request record file, a real
 * `ScaleSetClient` with short retry waits, scale sets created through the client, and a
 * recording scaler.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScaleSetClient } from "../../src/client/index.js";
import { startEmulator } from "../../src/emulator/index.js";
import type { Emulator, EmulatorOptions } from "../../src/emulator/types.js";
import { Listener } from "../../src/listener/listener.js";
import type { ListenerOptions } from "../../src/listener/options.js";
import type { Scaler } from "../../src/listener/types.js";
import type { Logger } from "../../src/util/logger.js";
import { waitUntil } from "./fake-listener-client.js";

/** One line of the emulator's record file. */
export interface Recorded {
  ts: string;
  operation: string | null;
  method: string;
  path: string;
  status: number;
  body: unknown;
}

/** A scaler remembering every desired count. */
export class RecordingScaler implements Scaler {
  readonly desired: number[] = [];
  readonly started: string[] = [];
  readonly completed: string[] = [];
  async handleDesiredRunnerCount(count: number): Promise<number> {
    this.desired.push(count);
    return count;
  }
  async handleJobStarted(job: { jobId: string }): Promise<void> {
    this.started.push(job.jobId);
  }
  async handleJobCompleted(job: { jobId: string }): Promise<void> {
    this.completed.push(job.jobId);
  }
  /** Highest count seen so far. */
  get max(): number {
    return Math.max(0, ...this.desired);
  }
}

/** Logged fields; `recovery` is the listener's recovery action. */
export type LoggedFields = Record<string, unknown> & { recovery?: unknown };

/** A logger keeping messages in memory (for "one attempt per logged backoff step" checks). */
export class MemoryLogger implements Logger {
  readonly lines: { level: string; msg: string; obj: LoggedFields }[] = [];
  debug = (obj: Record<string, unknown>, msg = "") => this.#push("debug", obj, msg);
  info = (obj: Record<string, unknown>, msg = "") => this.#push("info", obj, msg);
  warn = (obj: Record<string, unknown>, msg = "") => this.#push("warn", obj, msg);
  error = (obj: Record<string, unknown>, msg = "") => this.#push("error", obj, msg);
  #push(level: string, obj: Record<string, unknown>, msg: string) {
    this.lines.push({ level, msg, obj });
  }
}

/** The harness. Call `close()` in afterEach. */
export interface Harness {
  emulator: Emulator;
  client: ScaleSetClient;
  dir: string;
  records(): Promise<Recorded[]>;
  /** Creates a scale set whose only label is `name`; returns its id. */
  createScaleSet(name: string): Promise<number>;
  /** Starts a listener; `stop()` aborts and awaits it. */
  listen(
    scaleSetId: number,
    extra?: Partial<ListenerOptions>,
  ): {
    listener: Listener;
    scaler: RecordingScaler;
    logger: MemoryLogger;
    done: Promise<void>;
    stop(): Promise<void>;
  };
  /** Queues one job for `label` and waits until the scaler saw the assigned count rise. */
  jobReachesScaler(label: string, scaler: RecordingScaler): Promise<void>;
  close(): Promise<void>;
}

/** Starts an emulator (long poll 150 ms by default) and a client for it. */
export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "listener-it-"));
  const recordFile = join(dir, "requests.jsonl");
  const emulator = await startEmulator({ longPollMs: 150, recordFile, ...options });
  const client = ScaleSetClient.withToken({
    configUrl: emulator.configUrl,
    token: emulator.token,
    http: { retryMax: 0, ...(emulator.caPem ? { ca: emulator.caPem } : {}) },
  });
  const stops: (() => Promise<void>)[] = [];
  return {
    emulator,
    client,
    dir,
    async records() {
      const text = await readFile(recordFile, "utf8").catch(() => "");
      return text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Recorded);
    },
    async createScaleSet(name) {
      const set = await client.createRunnerScaleSet({
        name,
        runnerGroupId: 1,
        labels: [{ name }],
      });
      return set.id;
    },
    listen(scaleSetId, extra = {}) {
      const logger = new MemoryLogger();
      const listener = new Listener({
        client,
        scaleSetId,
        maxRunners: 10,
        owner: `test-owner-${scaleSetId}`,
        logger,
        backoff: { minDelayMs: 20, maxDelayMs: 80 },
        pollTimeoutMs: 5_000,
        ...extra,
      });
      const scaler = new RecordingScaler();
      const controller = new AbortController();
      const done = listener.run(scaler, { signal: controller.signal });
      const stop = async () => {
        controller.abort();
        await done.catch(() => undefined);
      };
      stops.push(stop);
      return { listener, scaler, logger, done, stop };
    },
    async jobReachesScaler(label, scaler) {
      const before = scaler.max;
      emulator.queueJobs({ labels: [label] });
      await waitUntil(() => scaler.max > before, 10_000);
    },
    async close() {
      await Promise.all(stops.map((s) => s()));
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

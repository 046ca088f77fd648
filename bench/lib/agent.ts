/**
 * Our side of `npm run bench`, run as its own process from compiled JavaScript (see build.ts) so
 * its memory and CPU can be read from /proc without the emulator or the orchestrator in it.
 * Mirrors `bench/go/cmd/benchgo`:
 *
 *   agent.js idle    --ids 1,2,3             MultiListener, one shared client, no-op scalers
 *   agent.js scaler  --ids 7 --max-runners M Listener + Autoscaler with a no-op provider whose
 *                                            `start` prints a timestamp
 *   agent.js client  --ids 1,2 --seconds S   GetMessage/DeleteMessage loops: rps, CPU/request
 *
 * The PAT comes from BENCH_TOKEN. Output: JSON lines on stdout.
 */
import { readFileSync } from "node:fs";
import { Autoscaler } from "../../src/autoscaler/autoscaler.js";
import type {
  ProvisionedRunner,
  RunnerProvider,
  RunnerSpec,
} from "../../src/autoscaler/provider.js";
import { ScaleSetClient } from "../../src/client/index.js";
import { applyDaemonV8Flags } from "../../src/daemon/v8-flags.js";
import { Listener } from "../../src/listener/listener.js";
import { MultiListener } from "../../src/listener/multi-listener.js";
import type { Scaler } from "../../src/listener/types.js";

const mode = process.argv[2] ?? "";
// The listener modes run as `scaleset run` does, with its V8 settings (SCALESET_V8_FLAGS overrides
// them, as for the daemon). The client modes measure the library as an application embeds it,
// with Node's defaults: the embedding application owns its V8 flags.
if (mode === "idle" || mode === "scaler") applyDaemonV8Flags();
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
};
const ids = arg("ids", "")
  .split(",")
  .filter((s) => s !== "")
  .map(Number);
const maxRunners = Number(arg("max-runners", "10"));
const seconds = Number(arg("seconds", "5"));
const caFile = arg("ca-file", "");
const emit = (msg: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(msg)}\n`);
const now = () => performance.timeOrigin + performance.now();
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

const client = ScaleSetClient.withToken({
  configUrl: arg("config-url", ""),
  token: process.env["BENCH_TOKEN"] ?? "",
  systemInfo: {
    system: "scaleset-bench",
    version: "0.0.0",
    commitSha: "",
    scaleSetId: 0,
    subsystem: "ours",
  },
  http: caFile ? { ca: readFileSync(caFile, "utf8") } : {},
});
const controller = new AbortController();
process.on("SIGTERM", () => controller.abort());
process.on("SIGINT", () => controller.abort());

const noopScaler: Scaler = {
  handleDesiredRunnerCount: async (count) => count,
  handleJobStarted: async () => {},
  handleJobCompleted: async () => {},
};

async function until(probe: () => boolean): Promise<void> {
  while (!probe() && !controller.signal.aborted) await wait(50);
}

/** N listeners in this process until SIGTERM. */
async function idle(): Promise<void> {
  const multi = new MultiListener({
    client,
    scaleSets: ids.map((scaleSetId) => ({ scaleSetId, maxRunners, scaler: noopScaler })),
  });
  const done = multi.run({ signal: controller.signal });
  await until(() => multi.listeners.every((l) => l.health.state === "polling"));
  emit({ type: "ready", listeners: ids.length });
  // Where the resident memory is, for the report (V8 heap vs. off-heap).
  const mem = setInterval(() => emit({ type: "mem", ...process.memoryUsage() }), 1000);
  const results = await done;
  clearInterval(mem);
  const failed = results.filter((r) => r.error !== undefined).length;
  emit({ type: "stopped", failed });
}

/**
 * Start timestamps, written in batches: a write to a pipe is synchronous in Node on Linux, and
 * one per start would charge the benchmark's own reporting to the autoscaler.
 */
const pendingStarts: number[] = [];
function recordStart(t: number): void {
  if (pendingStarts.length === 0) {
    setTimeout(() => emit({ type: "starts", t: pendingStarts.splice(0) }), 5);
  }
  pendingStarts.push(t);
}

/** A provider that starts nothing: `start` records when it was called. */
class NoopProvider implements RunnerProvider {
  readonly name = "noop";
  readonly #runners = new Map<string, number>();
  async start(runner: RunnerSpec): Promise<void> {
    recordStart(now());
    if (runner.jitConfig.length === 0) throw new Error("no JIT config");
    this.#runners.set(runner.name, runner.scaleSetId);
  }
  async remove(name: string): Promise<void> {
    this.#runners.delete(name);
  }
  async list(scaleSetId: number): Promise<ProvisionedRunner[]> {
    return [...this.#runners]
      .filter(([, id]) => id === scaleSetId)
      .map(([name]) => ({ name, scaleSetId, state: "running" }));
  }
}

/** Listener + Autoscaler with the no-op provider until SIGTERM. */
async function scaler(): Promise<void> {
  const scaleSetId = ids[0] as number;
  const trace = process.env["BENCH_TRACE"] === "1";
  const autoscaler = new Autoscaler({
    client: trace
      ? {
          generateJitRunnerConfig: async (...args) => {
            emit({ type: "jit-begin", t: now() });
            const jit = await client.generateJitRunnerConfig(...args);
            emit({ type: "jit-end", t: now() });
            return jit;
          },
          getRunnerByName: (...args) => client.getRunnerByName(...args),
          removeRunner: (...args) => client.removeRunner(...args),
        }
      : client,
    provider: new NoopProvider(),
    scaleSetId,
    scaleSetName: "bench",
    maxRunners,
  });
  await autoscaler.reconcile({ signal: controller.signal });
  autoscaler.start();
  const ackMode = process.env["BENCH_ACK_MODE"] === "before" ? "before" : "after";
  const listener = new Listener({ client, scaleSetId, maxRunners, ackMode });
  // BENCH_TRACE=1: also report when the listener hands a desired count to the autoscaler.
  const traced: Scaler = {
    handleDesiredRunnerCount: (count, ctx) => {
      emit({ type: "desired", t: now(), count });
      return autoscaler.handleDesiredRunnerCount(count, ctx);
    },
    handleJobStarted: (job, ctx) => autoscaler.handleJobStarted(job, ctx),
    handleJobCompleted: (job, ctx) => autoscaler.handleJobCompleted(job, ctx),
  };
  const scaler = trace ? traced : autoscaler;
  const done = listener.run(scaler, { signal: controller.signal });
  await until(() => listener.health.state === "polling");
  emit({ type: "ready" });
  await done;
  await autoscaler.stop();
  emit({ type: "stopped" });
}

/** GetMessage/DeleteMessage loops, one per scale set, over a warm-up second plus the window. */
async function clientLoops(): Promise<void> {
  const sessions = await Promise.all(
    ids.map((id) => client.createMessageSession(id, `bench-ours-client-${id}`)),
  );
  let requests = 0;
  let errors = 0;
  const state: { running: boolean } = { running: true };
  const loops = sessions.map(async (s) => {
    let last = 0;
    while (state.running) {
      try {
        requests++;
        const msg = await s.getMessage(last, maxRunners);
        if (!msg) continue;
        last = msg.messageId;
        requests++;
        await s.deleteMessage(msg.messageId);
      } catch {
        errors++;
      }
    }
  });
  await wait(1000);
  const r0 = requests;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await wait(seconds * 1000);
  const cpu = process.cpuUsage(c0);
  const elapsed = (performance.now() - t0) / 1000;
  const r1 = requests;
  state.running = false;
  await Promise.all(loops);
  await Promise.all(sessions.map((s) => s.close().catch(() => {})));
  emit({
    type: "result",
    requests: r1 - r0,
    seconds: elapsed,
    cpuMs: (cpu.user + cpu.system) / 1000,
    errors,
  });
}

/**
 * The floor under our client: the same loops on a bare undici HTTP/2 agent (sessions created by
 * our client, then no client code per request), to separate Node + undici cost from ours.
 */
async function rawLoops(): Promise<void> {
  const { Agent } = await import("undici");
  const { rootCertificates } = await import("node:tls");
  const sessions = await Promise.all(
    ids.map((id) => client.createMessageSession(id, `bench-raw-client-${id}`)),
  );
  const agent = new Agent({
    allowH2: true,
    pipelining: 100,
    connect: caFile ? { ca: [...rootCertificates, readFileSync(caFile, "utf8")] } : {},
  });
  let requests = 0;
  const state: { running: boolean } = { running: true };
  const loops = sessions.map(async (s) => {
    const url = new URL(s.session.messageQueueUrl);
    const headers = {
      authorization: `Bearer ${s.session.messageQueueAccessToken}`,
      "x-scalesetmaxcapacity": String(maxRunners),
      accept: "application/json",
    };
    let last = 0;
    while (state.running) {
      requests++;
      const path = `${url.pathname}${url.search}&lastMessageId=${last}`;
      const res = await agent.request({ origin: url.origin, path, method: "GET", headers });
      const text = await res.body.text();
      if (res.statusCode !== 200) continue;
      const msg = JSON.parse(text) as { messageId: number; body: string };
      JSON.parse(msg.body);
      last = msg.messageId;
      requests++;
      const del = await agent.request({
        origin: url.origin,
        path: `${url.pathname}/${last}${url.search}`,
        method: "DELETE",
        headers,
      });
      await del.body.dump();
    }
  });
  await wait(1000);
  const r0 = requests;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await wait(seconds * 1000);
  const cpu = process.cpuUsage(c0);
  const elapsed = (performance.now() - t0) / 1000;
  const r1 = requests;
  state.running = false;
  await Promise.all(loops);
  await Promise.all(sessions.map((s) => s.close().catch(() => {})));
  await agent.close();
  emit({
    type: "result",
    requests: r1 - r0,
    seconds: elapsed,
    cpuMs: (cpu.user + cpu.system) / 1000,
    errors: 0,
  });
}

try {
  if (mode === "idle") await idle();
  else if (mode === "raw") await rawLoops();
  else if (mode === "scaler") await scaler();
  else if (mode === "client") await clientLoops();
  else throw new Error(`unknown mode ${mode}`);
  process.exit(0);
} catch (err) {
  emit({ type: "error", error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}

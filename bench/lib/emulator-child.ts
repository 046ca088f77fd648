/**
 * Emulator child process of the benchmarks (run with tsx; never measured): starts the emulator
 * with the JSON options in argv[2], counts every HTTP request the server receives, prints
 * `{"ready":{…}}` and serves `{"id","method","args"}` lines from stdin.
 *
 * Extra methods beyond the emulator's own: `queueJobsTimed(specs)` (wall-clock ms right before
 * queueing), `requests()` (requests received so far), `feed(prefix, on)` (keep every queue of a
 * scale set whose name starts with `prefix` stocked with one job message per poll).
 */
import http2 from "node:http2";
import { syncBuiltinESMExports } from "node:module";
import { createInterface } from "node:readline";
import type { EmulatorOptions } from "../../src/emulator/types.js";
import type { JobMessage } from "../../src/wire/types.js";

let requests = 0;
// Count requests at the server: patch the http2 factory before the emulator imports it (h2 and
// its HTTP/1.1 fallback both emit `request`).
const createSecureServer = http2.createSecureServer;
(http2 as { createSecureServer: unknown }).createSecureServer = (...args: unknown[]) => {
  const server = (createSecureServer as (...a: unknown[]) => http2.Http2SecureServer)(...args);
  server.on("request", () => {
    requests++;
  });
  return server;
};
syncBuiltinESMExports();
const { startEmulator } = await import("../../src/emulator/index.js");
type QueueLike = {
  pending: JobMessage[];
  unacked: unknown[];
  next(last: number, nextId: () => number): unknown;
  ackUpTo(last: number): void;
};
type Ctx = {
  state: { queues: Map<number, QueueLike>; scaleSets: Map<number, { name: string }> };
};

const options = JSON.parse(process.argv[2] ?? "{}") as EmulatorOptions;
const emulator = await startEmulator(options);
const ctx = (emulator as unknown as { ctx: Ctx }).ctx;
const write = (msg: unknown) => process.stdout.write(`${JSON.stringify(msg)}\n`);
const now = () => performance.timeOrigin + performance.now();

const template: JobMessage = {
  messageType: "JobAssigned",
  runnerRequestId: 1,
  repositoryName: "bench",
  ownerName: "emulated-org",
  jobId: "00000000-0000-4000-8000-000000000001",
  jobWorkflowRef: "emulated-org/bench/.github/workflows/ci.yml@refs/heads/main",
  jobDisplayName: "bench",
  workflowRunId: 1,
  eventName: "push",
  requestLabels: ["bench"],
  queueTime: new Date().toISOString(),
  scaleSetAssignTime: new Date().toISOString(),
  runnerAssignTime: new Date().toISOString(),
  finishTime: "0001-01-01T00:00:00Z",
};
const fed = new WeakSet<object>();
let feedPrefix = "";

/** Wraps `next` of every matching queue so a poll always finds one job message. */
function stock(): void {
  if (feedPrefix === "") return;
  for (const [id, q] of ctx.state.queues) {
    if (fed.has(q) || !String(ctx.state.scaleSets.get(id)?.name).startsWith(feedPrefix)) continue;
    fed.add(q);
    const next = q.next.bind(q);
    q.next = (last, nextId) => {
      q.ackUpTo(last);
      if (feedPrefix !== "" && q.pending.length === 0 && q.unacked.length === 0) {
        q.pending.push(template);
      }
      return next(last, nextId);
    };
  }
}
setInterval(stock, 20).unref();

write({
  ready: {
    url: emulator.url,
    configUrl: emulator.configUrl,
    token: emulator.token,
    caPem: emulator.caPem,
  },
});

const shutdown = async () => {
  await emulator.close();
  process.exit(0);
};
process.on("SIGTERM", () => void shutdown());
process.stdin.on("end", () => void shutdown());

const extra: Record<string, (...args: unknown[]) => unknown> = {
  queueJobsTimed: (specs) => {
    const queuedAt = now();
    emulator.queueJobs(specs as Parameters<typeof emulator.queueJobs>[0]);
    return { queuedAt };
  },
  requests: () => ({ requests, at: now() }),
  feed: (prefix) => {
    feedPrefix = String(prefix ?? "");
    stock();
    return true;
  },
  jobCounts: () => {
    const counts: Record<string, number> = {};
    for (const job of emulator.listJobs()) counts[job.state] = (counts[job.state] ?? 0) + 1;
    return counts;
  },
};

createInterface({ input: process.stdin }).on("line", (line) => {
  const { id, method, args } = JSON.parse(line) as { id: number; method: string; args: unknown[] };
  if (method === "__exit") {
    void shutdown();
    return;
  }
  void (async () => {
    try {
      const own = extra[method];
      const fn =
        own ?? (emulator as unknown as Record<string, (...a: unknown[]) => unknown>)[method];
      if (typeof fn !== "function") throw new Error(`no emulator method ${method}`);
      const result = await (own ? own(...args) : fn.apply(emulator, args));
      write({ id, result: result ?? null });
    } catch (err) {
      write({ id, error: err instanceof Error ? err.message : String(err) });
    }
  })();
});

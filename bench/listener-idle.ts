/**
 * Idle cost per scale set: N listeners (default 1 000) long-polling one emulator (in a child
 * process, so only the listener side is measured) through one shared client.
 *
 *   node --import tsx bench/listener-idle.ts [--scale-sets 1000] [--window-s 30] [--no-tls]
 *
 * Reports resident memory and heap per scale set above a warmed-up baseline (client connected,
 * scale sets created, a few warm-up listeners polling), and CPU per scale set over an idle window.
 */
import { rootCertificates } from "node:tls";
import { Agent, Client, type Dispatcher, Pool } from "undici";
import { ScaleSetClient } from "../src/client/index.js";
import { MultiListener } from "../src/listener/index.js";
import { startEmulatorProcess } from "../test/helpers/emulator-process.js";
import {
  arg,
  collect,
  flag,
  mapLimit,
  noopScaler,
  printTable,
  stateSummary,
  until,
} from "./listener-support.js";

const n = Number(arg("scale-sets", "1000"));
const windowS = Number(arg("window-s", "30"));
const tls = !flag("no-tls");
const longPollMs = Number(arg("long-poll-ms", "50000"));
const warmUp = Number(arg("warm-up", "50"));
// `--h2-pipelining N`: send through an own dispatcher whose h2 connections carry N streams
// (e.g. Infinity) instead of the client's shared default.
const h2Pipelining = arg("h2-pipelining", "");

function customDispatcher(caPem: string | undefined, pipelining: number): Dispatcher {
  const tlsOptions = caPem ? { ca: [...rootCertificates, caPem] } : {};
  return new Agent({
    allowH2: true,
    connect: tlsOptions,
    headersTimeout: 0,
    bodyTimeout: 0,
    factory: (origin, opts) =>
      new Pool(origin, {
        ...opts,
        factory: (o, clientOpts) => {
          const c = new Client(o, clientOpts);
          c.on("connect", () => {
            c.pipelining = pipelining;
          });
          return c;
        },
      }),
  });
}

const emulator = await startEmulatorProcess({ tls, longPollMs, sessionTtlMs: 600_000 });
try {
  const client = ScaleSetClient.withToken({
    configUrl: emulator.configUrl,
    token: emulator.token,
    http: h2Pipelining
      ? { dispatcher: customDispatcher(emulator.caPem, Number(h2Pipelining)) }
      : emulator.caPem
        ? { ca: emulator.caPem }
        : {},
  });
  const names = Array.from({ length: n }, (_, i) => `idle-${i}`);
  console.error(`creating ${n} scale sets…`);
  const ids = await mapLimit(names, 16, async (name) => {
    const set = await client.createRunnerScaleSet({
      name,
      runnerGroupId: 1,
      labels: [{ name }],
    });
    return set.id;
  });

  // Warm-up: a few listeners run first so one-off costs (compiled code, the h2 connection, TLS,
  // pools) land in the baseline; the per-scale-set figures are the slope over the rest.
  const warm = Math.min(warmUp, Math.floor(n / 10));
  const controller = new AbortController();
  const start = (slice: number[]) => {
    const multi = new MultiListener({
      client,
      scaleSets: slice.map((scaleSetId) => ({ scaleSetId, maxRunners: 10, scaler: noopScaler })),
    });
    return { multi, done: multi.run({ signal: controller.signal }) };
  };
  const polling = (m: MultiListener) => m.listeners.every((l) => l.health.state === "polling");
  const first = start(ids.slice(0, warm));
  await until(
    () => polling(first.multi),
    120_000,
    "warm-up listeners polling",
    () => stateSummary(first.multi.health),
  );
  await new Promise((r) => setTimeout(r, 1000));
  await collect();
  const base = process.memoryUsage();
  const measured = n - warm;

  const startedAt = Date.now();
  const second = start(ids.slice(warm));
  const multi = second.multi;
  await until(
    () => polling(multi),
    300_000,
    "all listeners polling",
    () => stateSummary(multi.health),
  );
  const readyMs = Date.now() - startedAt;
  await new Promise((r) => setTimeout(r, 2000));
  await collect();
  const idle = process.memoryUsage();

  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, windowS * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  await collect();
  const after = process.memoryUsage();
  const sessions = (await emulator.call<unknown[]>("listSessions")).length;
  const failures = [...first.multi.listeners, ...multi.listeners].filter(
    (l) => l.health.lastError !== undefined,
  ).length;

  controller.abort();
  await Promise.all([first.done, second.done]);

  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const cpuPct = ((cpu.user + cpu.system) / wallUs) * 100;
  const transport = `${tls ? "https (h2 via ALPN)" : "http/1.1"}${h2Pipelining ? `, h2 pipelining ${h2Pipelining}` : ", client default dispatcher"}`;
  printTable(`listener-idle: ${n} scale sets, ${transport}`, [
    ["scale sets / live sessions", `${n} / ${sessions}`],
    ["listeners with an error", String(failures)],
    ["warm-up listeners in the baseline", String(warm)],
    ["measured listeners polling after", `${readyMs} ms`],
    ["baseline RSS", kb(base.rss)],
    ["RSS above baseline / scale set", kb((idle.rss - base.rss) / measured)],
    ["RSS above baseline / scale set (end)", kb((after.rss - base.rss) / measured)],
    ["heap used above baseline / scale set", kb((idle.heapUsed - base.heapUsed) / measured)],
    ["heap total above baseline / scale set", kb((idle.heapTotal - base.heapTotal) / measured)],
    ["external above baseline / scale set", kb((idle.external - base.external) / measured)],
    ["CPU window", `${windowS} s (server hold ${longPollMs} ms)`],
    ["CPU total", `${cpuPct.toFixed(3)} % of a core`],
    ["CPU / scale set", `${(cpuPct / n).toFixed(5)} % of a core`],
  ]);
} finally {
  await emulator.stop();
}
process.exit(0);

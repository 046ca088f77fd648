/**
 * Idle cost per scale set: N listeners (default 1 000) long-polling one emulator (in a child
 * process, so only the listener side is measured) through one shared client.
 *
 *   node --import tsx bench/listener-idle.ts [--scale-sets 1000] [--window-s 30] [--no-tls]
 *
 * Reports resident memory and heap above the baseline (client warmed up, scale sets created,
 * no listener running) per scale set, and CPU per scale set over an idle window.
 */
import { ScaleSetClient } from "../src/client/index.js";
import { MultiListener } from "../src/listener/index.js";
import { startEmulatorProcess } from "../test/helpers/emulator-process.js";
import { arg, collect, flag, mapLimit, noopScaler, printTable, until } from "./listener-support.js";

const n = Number(arg("scale-sets", "1000"));
const windowS = Number(arg("window-s", "30"));
const tls = !flag("no-tls");
const longPollMs = Number(arg("long-poll-ms", "50000"));

const emulator = await startEmulatorProcess({ tls, longPollMs, sessionTtlMs: 600_000 });
try {
  const client = ScaleSetClient.withToken({
    configUrl: emulator.configUrl,
    token: emulator.token,
    http: emulator.caPem ? { ca: emulator.caPem } : {},
  });
  const names = Array.from({ length: n }, (_, i) => `idle-${i}`);
  const ids = await mapLimit(names, 16, async (name) => {
    const set = await client.createRunnerScaleSet({
      name,
      runnerGroupId: 1,
      labels: [{ name }],
    });
    return set.id;
  });

  await collect();
  const base = process.memoryUsage();

  const multi = new MultiListener({
    client,
    scaleSets: ids.map((scaleSetId) => ({ scaleSetId, maxRunners: 10, scaler: noopScaler })),
  });
  const controller = new AbortController();
  const startedAt = Date.now();
  const done = multi.run({ signal: controller.signal });
  await until(
    () => multi.listeners.every((l) => l.health.state === "polling"),
    120_000,
    "all listeners polling",
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
  const failures = multi.listeners.filter((l) => l.health.lastError !== undefined).length;

  controller.abort();
  await done;

  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const cpuPct = ((cpu.user + cpu.system) / wallUs) * 100;
  printTable(`listener-idle: ${n} scale sets, ${tls ? "https (h2 via ALPN)" : "http/1.1"}`, [
    ["scale sets / live sessions", `${n} / ${sessions}`],
    ["listeners with an error", String(failures)],
    ["all polling after", `${readyMs} ms`],
    ["baseline RSS", kb(base.rss)],
    ["RSS above baseline / scale set", kb((idle.rss - base.rss) / n)],
    ["RSS above baseline / scale set (end)", kb((after.rss - base.rss) / n)],
    ["heap used above baseline / scale set", kb((idle.heapUsed - base.heapUsed) / n)],
    ["heap total above baseline / scale set", kb((idle.heapTotal - base.heapTotal) / n)],
    ["external above baseline / scale set", kb((idle.external - base.external) / n)],
    ["CPU window", `${windowS} s (server hold ${longPollMs} ms)`],
    ["CPU total", `${cpuPct.toFixed(3)} % of a core`],
    ["CPU / scale set", `${(cpuPct / n).toFixed(5)} % of a core`],
  ]);
} finally {
  await emulator.stop();
}
process.exit(0);

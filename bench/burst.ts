/**
 * Benchmark 3, burst: N jobs (5 000) queued at once, max runners N, no-op provider: time from
 * the queueing until every JIT config was generated and `start` called N times. Ours: Listener
 * + Autoscaler (bounded parallel starts). Reference: the Go listener + the dockerscaleset
 * example's scaler (sequential starts). The emulator counts the requests it receives, to show
 * where the bottleneck is.
 */

import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EmulatorOptions } from "../src/emulator/types.js";
import { shareLine, summarizeCpuProfile } from "./lib/cpu-profile.js";
import { type BenchEmulator, startBenchEmulator } from "./lib/emulator.js";
import { cpuMs } from "./lib/proc.js";
import { adminClient, createScaleSets, evictSessions, type Side, startSide } from "./lib/setup.js";
import { median, num, ratio, table } from "./lib/stats.js";

/** Options of {@link benchBurst}. */
export interface BurstOptions {
  runs: number;
  jobs: number;
  /**
   * Added to every generatejitconfig request by an emulator `delay` fault, standing in for the
   * round trip to the real service (0 = none).
   */
  jitLatencyMs?: number;
  log: (line: string) => void;
}

const EMULATOR_OPTIONS: EmulatorOptions = {
  tls: true,
  mode: "github",
  longPollMs: 50_000,
  pickupTimeoutMs: 3_600_000,
  sessionTtlMs: 3_600_000,
};

interface RunResult {
  /** Queue → last start, ms. */
  totalMs: number;
  /** Queue → first start, ms. */
  firstMs: number;
  /** Requests the emulator received between the queueing and the last start. */
  requests: number;
  /** CPU time over the burst, ms: the emulator's and the side's own process. */
  emulatorCpuMs: number;
  sideCpuMs: number;
}

async function runOnce(
  emulator: BenchEmulator,
  side: Side,
  label: string,
  id: number,
  o: BurstOptions,
  nodeFlags: string[] = [],
): Promise<RunResult> {
  const child = startSide(side, "scaler", emulator, { ids: [id], maxRunners: o.jobs, nodeFlags });
  try {
    await child.waitFor("ready", 60_000);
    const before = await emulator.call<{ requests: number }>("requests");
    const emuPid = emulator.child.pid ?? -1;
    const e0 = cpuMs(emuPid);
    const s0 = cpuMs(child.pid);
    const specs = Array.from({ length: o.jobs }, () => ({ labels: [label] }));
    const { queuedAt } = await emulator.call<{ queuedAt: number }>("queueJobsTimed", specs);
    await child.waitFor("start", 600_000, o.jobs);
    const after = await emulator.call<{ requests: number }>("requests");
    const emulatorCpuMs = cpuMs(emuPid) - e0;
    const sideCpuMs = cpuMs(child.pid) - s0;
    const starts = child.ofType("start").map((m) => Number(m["t"]));
    return {
      totalMs: Math.max(...starts) - queuedAt,
      firstMs: Math.min(...starts) - queuedAt,
      requests: after.requests - before.requests,
      emulatorCpuMs,
      sideCpuMs,
    };
  } finally {
    await child.stop(30_000);
    await evictSessions(emulator);
  }
}

/** Runs benchmark 3 and returns its markdown section. */
export async function benchBurst(o: BurstOptions): Promise<string> {
  const results: Record<Side, RunResult[]> = { ours: [], go: [] };
  for (let run = 0; run < o.runs; run++) {
    for (const side of ["ours", "go"] as const) {
      const prefix = `burst-${side}-${run}`;
      // A fresh emulator per side and run: its state (runners from earlier runs) would
      // otherwise grow and slow later runs, whichever side they belong to.
      const emulator = await startBenchEmulator(EMULATOR_OPTIONS);
      let r: RunResult;
      try {
        const [id] = await createScaleSets(adminClient(emulator), prefix, 1);
        if (o.jitLatencyMs) {
          await emulator.call("addFault", {
            operation: "generateJitRunnerConfig",
            kind: "delay",
            delayMs: o.jitLatencyMs,
            forMs: 3_600_000,
          });
        }
        r = await runOnce(emulator, side, `${prefix}-0`, id as number, o);
      } finally {
        await emulator.stop();
      }
      results[side].push(r);
      o.log(
        `  burst ${side} run ${run + 1}: all ${o.jobs} started after ${num(r.totalMs, 0)} ms (first ${num(r.firstMs, 1)} ms), ${r.requests} emulator requests = ${num((r.requests / r.totalMs) * 1000, 0)}/s, CPU emulator ${num(r.emulatorCpuMs, 0)} ms / ${side} ${num(r.sideCpuMs, 0)} ms`,
      );
    }
  }
  const profile = o.jitLatencyMs ? "" : await profileOurs(o);
  const m = (side: Side, f: (r: RunResult) => number) => median(results[side].map(f));
  const total = (r: RunResult) => r.totalMs;
  const first = (r: RunResult) => r.firstMs;
  const rps = (r: RunResult) => (r.requests / r.totalMs) * 1000;
  const startsPerS = (r: RunResult) => (o.jobs / r.totalMs) * 1000;
  const emuBusy = (r: RunResult) => (r.emulatorCpuMs / r.totalMs) * 100;
  const sideBusy = (r: RunResult) => (r.sideCpuMs / r.totalMs) * 100;
  const sideCpuPerStart = (r: RunResult) => (r.sideCpuMs * 1000) / o.jobs;
  const speedup = m("go", total) / m("ours", total);
  return [
    o.jitLatencyMs
      ? `## 3b. Burst with ${o.jitLatencyMs} ms service latency per JIT config`
      : "## 3. Burst",
    "",
    o.jitLatencyMs
      ? `As §3 with ${o.jobs} jobs, but the emulator holds every generatejitconfig request ${o.jitLatencyMs} ms (a \`delay\` fault) as a stand-in for the round trip to the real service: here starting runners in parallel pays, while §3 on loopback is bound by the CPU of this 2-core machine.\n`
      : "",
    `${o.jobs} jobs queued at once (github mode, https + HTTP/2), max runners ${o.jobs}, no-op provider; time from the queueing until \`start\` was called for the ${o.jobs}th runner (each after its own JIT config). A fresh emulator and scale set per side and run (so neither side inherits the other's ${o.jobs} registered runners); medians over ${o.runs} runs. Emulator requests/s = requests the emulator received in that time ÷ the time.`,
    "",
    table(
      ["", "ours (bounded parallel, 16)", "Go example (sequential)", "ours ÷ Go"],
      [
        [
          "queue → all started",
          `${num(m("ours", total), 0)} ms`,
          `${num(m("go", total), 0)} ms`,
          ratio(m("ours", total), m("go", total)),
        ],
        [
          "queue → first started",
          `${num(m("ours", first), 1)} ms`,
          `${num(m("go", first), 1)} ms`,
          ratio(m("ours", first), m("go", first)),
        ],
        [
          "runner starts / s",
          num(m("ours", startsPerS), 0),
          num(m("go", startsPerS), 0),
          ratio(m("ours", startsPerS), m("go", startsPerS)),
        ],
        [
          "emulator requests / s",
          num(m("ours", rps), 0),
          num(m("go", rps), 0),
          ratio(m("ours", rps), m("go", rps)),
        ],
        [
          "emulator process CPU during the burst",
          `${num(m("ours", emuBusy), 0)} % of a core`,
          `${num(m("go", emuBusy), 0)} % of a core`,
          "",
        ],
        [
          "listener process CPU during the burst",
          `${num(m("ours", sideBusy), 0)} % of a core`,
          `${num(m("go", sideBusy), 0)} % of a core`,
          ratio(m("ours", sideBusy), m("go", sideBusy)),
        ],
        [
          "listener process CPU per runner start",
          `${num(m("ours", sideCpuPerStart), 0)} µs`,
          `${num(m("go", sideCpuPerStart), 0)} µs`,
          ratio(m("ours", sideCpuPerStart), m("go", sideCpuPerStart)),
        ],
      ],
    ),
    "",
    `Speed-up (Go time ÷ ours): ${num(speedup, 2)}× (target ≥ 5×).`,
    "",
    ...(profile ? [profile, ""] : []),
    `Reproduce: \`npm run bench -- --only ${o.jitLatencyMs ? "burst-latency" : "burst"}\``,
    "",
  ].join("\n");
}

/**
 * One more run of ours under `--cpu-prof` (not in the medians): where our process spends its
 * CPU during the burst, for the report.
 */
async function profileOurs(o: BurstOptions): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "scaleset-burst-prof-"));
  const emulator = await startBenchEmulator(EMULATOR_OPTIONS);
  try {
    const [id] = await createScaleSets(adminClient(emulator), "burst-profile", 1);
    const r = await runOnce(emulator, "ours", "burst-profile-0", id as number, o, [
      "--cpu-prof",
      `--cpu-prof-dir=${dir}`,
    ]);
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    if (!file) return "";
    const summary = summarizeCpuProfile(join(dir, file));
    const pct = (x: number) => `${num(100 * x, 0)} %`;
    o.log(`  burst ours profiled run: ${num(r.totalMs, 0)} ms`);
    return [
      `Where our process's CPU goes in the burst (one extra run under \`--cpu-prof\`, ${num(r.totalMs, 0)} ms, not in the medians; ${num(summary.busyUs / 1000, 0)} ms busy): this repository's code ${pct(summary.shares.src)}, Node internals ${pct(summary.shares.node)} (HTTP/2, streams, events, timers), undici and other packages ${pct(summary.shares.npm)}, the rest V8 (garbage collection, compiled code without a source).`,
      `Largest by source: ${shareLine(summary, summary.bySource, 8)}.`,
      `Largest functions (self time): ${shareLine(summary, summary.byFunction, 6)}.`,
    ].join("\n");
  } finally {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

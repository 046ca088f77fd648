/**
 * Benchmark 1, idle cost per scale set: N scale sets long-polling one emulator (its own process).
 * Ours: one Node process with a MultiListener of N listeners sharing one client. Reference: the
 * official Go listener with a trivial scaler, one process per scale set (as deployed today), and
 * N listeners in one Go process. Resident memory is summed over the processes (VmRSS); CPU is
 * utime + stime over a fixed idle window.
 */
import type { JsonChild } from "./lib/child.js";
import type { BenchEmulator } from "./lib/emulator.js";
import { startBenchEmulator } from "./lib/emulator.js";
import { totalCpuMs, totalRss } from "./lib/proc.js";
import { adminClient, createScaleSets, evictSessions, type Side, startSide } from "./lib/setup.js";
import { bytes, median, num, table, versus, wait } from "./lib/stats.js";

/** Options of {@link benchIdle}. */
export interface IdleOptions {
  runs: number;
  sizes: number[];
  /** Idle window over which CPU is read. */
  windowS: number;
  /**
   * Emulator GetMessage hold. The real service holds ~50 s; a short hold puts a few poll cycles
   * per listener into the CPU window (the report also scales CPU to a 50 s hold).
   */
  longPollMs: number;
  /** Largest N run as one Go process per scale set; larger N are extrapolated. */
  goProcsMax: number;
  log: (line: string) => void;
}

type Config = "ours" | "go-multi" | "go-procs";

interface Sample {
  rss: number;
  /** CPU time per second of wall time, in ms (= ‰ of one core). */
  cpuMsPerS: number;
  readyMs: number;
  /** Ours only: V8 heap used / reserved at the end of the window (process.memoryUsage). */
  heapUsed?: number;
  heapTotal?: number;
}

async function runOnce(
  emulator: BenchEmulator,
  config: Config,
  ids: number[],
  o: IdleOptions,
): Promise<Sample> {
  const side: Side = config === "ours" ? "ours" : "go";
  const started = Date.now();
  const children: JsonChild[] =
    config === "go-procs"
      ? ids.map((id) => startSide(side, "idle", emulator, { ids: [id] }))
      : [startSide(side, "idle", emulator, { ids })];
  try {
    await Promise.all(children.map((c) => c.waitFor("ready", 300_000)));
    const readyMs = Date.now() - started;
    await wait(1000); // let start-up work settle
    const pids = children.map((c) => c.pid);
    const c0 = totalCpuMs(pids);
    const t0 = performance.now();
    await wait(o.windowS * 1000);
    const cpu = totalCpuMs(pids) - c0;
    const elapsedS = (performance.now() - t0) / 1000;
    const rss = totalRss(pids);
    const errors = children.reduce((n, c) => n + c.count("listener-error"), 0);
    if (errors > 0) o.log(`  ${config} N=${ids.length}: ${errors} listener errors`);
    const sample: Sample = { rss, cpuMsPerS: cpu / elapsedS, readyMs };
    const mem = children[0]?.ofType("mem").at(-1);
    if (mem) {
      sample.heapUsed = Number(mem["heapUsed"]);
      sample.heapTotal = Number(mem["heapTotal"]);
    }
    return sample;
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    const left = await evictSessions(emulator);
    if (left > 0) o.log(`  ${config} N=${ids.length}: evicted ${left} sessions left behind`);
  }
}

/** Runs benchmark 1 and returns its markdown section. */
export async function benchIdle(o: IdleOptions): Promise<string> {
  const emulator = await startBenchEmulator({
    tls: true,
    longPollMs: o.longPollMs,
    sessionTtlMs: 3_600_000,
  });
  try {
    const maxN = Math.max(...o.sizes);
    const ids = await createScaleSets(adminClient(emulator), "idle", maxN);
    const results = new Map<string, Sample[]>();
    const key = (c: Config, n: number) => `${c}/${n}`;
    for (const n of o.sizes) {
      const configs: Config[] = ["ours", "go-multi"];
      if (n <= o.goProcsMax) configs.push("go-procs");
      for (const config of configs) {
        const samples: Sample[] = [];
        for (let run = 0; run < o.runs; run++) {
          const s = await runOnce(emulator, config, ids.slice(0, n), o);
          samples.push(s);
          o.log(
            `  idle ${config} N=${n} run ${run + 1}: RSS ${bytes(s.rss)}, CPU ${num(s.cpuMsPerS, 2)} ms/s, ready ${s.readyMs} ms`,
          );
        }
        results.set(key(config, n), samples);
      }
    }
    const med = (c: Config, n: number, f: (s: Sample) => number) =>
      median((results.get(key(c, n)) ?? []).map(f));
    const procsPerSet = (n: number, f: (s: Sample) => number) => {
      if (n <= o.goProcsMax) return { v: med("go-procs", n, f) / n, extrapolated: false };
      const base = Math.max(...o.sizes.filter((s) => s <= o.goProcsMax));
      return { v: med("go-procs", base, f) / base, extrapolated: true };
    };
    const rows: string[][] = [];
    for (const n of o.sizes) {
      const rss = (s: Sample) => s.rss;
      const cpu = (s: Sample) => s.cpuMsPerS;
      const ours = med("ours", n, rss) / n;
      const multi = med("go-multi", n, rss) / n;
      const procs = procsPerSet(n, rss);
      const oursCpu = med("ours", n, cpu) / n;
      const multiCpu = med("go-multi", n, cpu) / n;
      const procsCpu = procsPerSet(n, cpu);
      const x = procs.extrapolated ? " (extrapolated)" : "";
      rows.push([
        String(n),
        `${bytes(med("ours", n, rss))} / ${bytes(ours)}`,
        `${bytes(med("go-multi", n, rss))} / ${bytes(multi)}`,
        `${bytes(procs.v * n)} / ${bytes(procs.v)}${x}`,
        versus(ours, procs.v),
        versus(ours, multi),
        `${num(oursCpu, 4)} / ${num(multiCpu, 4)} / ${num(procsCpu.v, 4)}${x}`,
        `${versus(oursCpu, procsCpu.v)} / ${versus(oursCpu, multiCpu)}`,
      ]);
    }
    const big = maxN;
    const small = Math.min(...o.sizes);
    const slope = (c: Config) =>
      (med(c, big, (s) => s.rss) - med(c, small, (s) => s.rss)) / (big - small);
    const heapLine = o.sizes
      .map(
        (n) =>
          `N=${n}: ${bytes(med("ours", n, (s) => s.heapUsed ?? Number.NaN))} used / ${bytes(med("ours", n, (s) => s.heapTotal ?? Number.NaN))} reserved`,
      )
      .join("; ");
    const readyRows = o.sizes.map((n) => [
      String(n),
      `${num(
        med("ours", n, (s) => s.readyMs),
        0,
      )} ms`,
      `${num(
        med("go-multi", n, (s) => s.readyMs),
        0,
      )} ms`,
      n <= o.goProcsMax
        ? `${num(
            med("go-procs", n, (s) => s.readyMs),
            0,
          )} ms`
        : "n/a",
    ]);
    return [
      "## 1. Idle cost per scale set",
      "",
      `N scale sets long-polling one emulator (own process, https + HTTP/2, GetMessage hold ${o.longPollMs} ms). Medians over ${o.runs} runs; RSS summed over the processes (VmRSS) after a 1 s settle and a ${o.windowS} s idle window; CPU = utime+stime over that window, in ms of CPU per second (1 ms/s = 0.1 % of a core).`,
      "",
      table(
        [
          "N",
          "ours RSS total / per set",
          "Go N-in-1 total / per set",
          "Go 1-proc-per-set total / per set",
          "RSS/set ours ÷ Go 1-per-proc",
          "RSS/set ours ÷ Go N-in-1",
          "CPU ms/s per set: ours / Go N-in-1 / Go 1-per-proc",
          "CPU/set ours ÷ Go 1-per-proc / ÷ Go N-in-1",
        ],
        rows,
      ),
      "",
      `CPU scaled to the real service's ~50 s hold (idle CPU is per poll cycle, so it scales with 1/hold): ours ${num((med("ours", big, (s) => s.cpuMsPerS) / big) * (o.longPollMs / 50_000) * 1000, 2)} µs/s per set, Go N-in-1 ${num((med("go-multi", big, (s) => s.cpuMsPerS) / big) * (o.longPollMs / 50_000) * 1000, 2)} µs/s per set at N=${big}.`,
      `Marginal RSS per extra scale set (slope N=${small}→${big}): ours ${bytes(slope("ours"))}, Go N-in-1 ${bytes(slope("go-multi"))}.`,
      `Ours, V8 heap at the end of the window (includes garbage not yet collected): ${heapLine}.`,
      o.sizes.some((n) => n > o.goProcsMax)
        ? `Go one-process-per-scale-set above N=${o.goProcsMax} is extrapolated linearly from the N=${Math.max(...o.sizes.filter((s) => s <= o.goProcsMax))} per-process figure (each process is independent: same binary, one session, one connection), so ${o.goProcsMax}+ Go processes are not started on this 2-core machine.`
        : "",
      "",
      table(
        ["N", "ours: all polling", "Go N-in-1: sessions created", "Go 1-per-proc: all ready"],
        readyRows,
      ),
      "",
      "Reproduce: `npm run bench -- --only idle`",
      "",
    ].join("\n");
  } finally {
    await emulator.stop();
  }
}

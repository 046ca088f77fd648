/**
 * Benchmark 4, client overhead: GetMessage/DeleteMessage loops (one per session) against an
 * emulator that always has one job message waiting, ours (`ScaleSetClient` sessions) vs the Go
 * client (`MessageSessionClient`). Each side runs in its own process and reads its own CPU time
 * (process.cpuUsage / getrusage) over the window after a warm-up second.
 */
import { type BenchEmulator, startBenchEmulator } from "./lib/emulator.js";
import { adminClient, createScaleSets, evictSessions, type Side, startSide } from "./lib/setup.js";
import { median, num, ratio, table } from "./lib/stats.js";

/** Options of {@link benchClient}. */
export interface ClientOptions {
  runs: number;
  sessions: number;
  seconds: number;
  /** Also run the same loops on a bare undici agent (the floor under our client). */
  raw?: boolean;
  log: (line: string) => void;
}

interface RunResult {
  rps: number;
  /** CPU µs per request. */
  cpuUs: number;
  errors: number;
}

async function runOnce(
  emulator: BenchEmulator,
  side: Side | "raw",
  ids: number[],
  o: ClientOptions,
): Promise<RunResult> {
  const args = { ids, seconds: o.seconds, maxRunners: 10 };
  const child =
    side === "raw"
      ? startSide("ours", "raw", emulator, args)
      : startSide(side, "client", emulator, args);
  try {
    const r = await child.waitFor("result", (o.seconds + 60) * 1000);
    const requests = Number(r["requests"]);
    return {
      rps: requests / Number(r["seconds"]),
      cpuUs: (Number(r["cpuMs"]) * 1000) / requests,
      errors: Number(r["errors"]),
    };
  } finally {
    await child.stop();
    await evictSessions(emulator);
  }
}

/** Runs benchmark 4 and returns its markdown section. */
export async function benchClient(o: ClientOptions): Promise<string> {
  const emulator = await startBenchEmulator({ tls: true, longPollMs: 2000, sessionTtlMs: 600_000 });
  try {
    const ids = await createScaleSets(adminClient(emulator), "cl", o.sessions);
    await emulator.call("feed", "cl-");
    const results: Record<Side | "raw", RunResult[]> = { ours: [], go: [], raw: [] };
    const sides: (Side | "raw")[] = o.raw ? ["ours", "go", "raw"] : ["ours", "go"];
    for (let run = 0; run < o.runs; run++) {
      for (const side of sides) {
        const r = await runOnce(emulator, side, ids, o);
        results[side].push(r);
        o.log(
          `  client ${side} run ${run + 1}: ${num(r.rps, 0)} req/s, ${num(r.cpuUs, 1)} µs CPU/request, ${r.errors} errors`,
        );
      }
    }
    const m = (side: Side | "raw", f: (r: RunResult) => number) => median(results[side].map(f));
    const rps = (r: RunResult) => r.rps;
    const cpu = (r: RunResult) => r.cpuUs;
    return [
      "## 4. Client overhead",
      "",
      `GetMessage (200, one job message) + DeleteMessage (204) loops, ${o.sessions} sessions in parallel over https + HTTP/2, ${o.seconds} s window after a 1 s warm-up, medians over ${o.runs} runs. CPU = the client process's own user+system time (process.cpuUsage / getrusage) ÷ requests. The emulator (own process) shares the 2 cores, so requests/s is bounded by it; CPU per request is the client's cost.`,
      "",
      table(
        ["", "ours", "Go client", "ours ÷ Go"],
        [
          [
            "requests / s",
            num(m("ours", rps), 0),
            num(m("go", rps), 0),
            ratio(m("ours", rps), m("go", rps)),
          ],
          [
            "CPU per request",
            `${num(m("ours", cpu), 1)} µs`,
            `${num(m("go", cpu), 1)} µs`,
            ratio(m("ours", cpu), m("go", cpu)),
          ],
        ],
      ),
      o.raw
        ? `\nBare undici (the same loops on an undici 7 \`Agent\` with allowH2, no client code per request; the floor under ours): ${num(m("raw", rps), 0)} requests/s, ${num(m("raw", cpu), 1)} µs CPU per request = ${ratio(m("raw", cpu), m("go", cpu))} Go's.`
        : "",
      "",
      `Reproduce: \`npm run bench -- --only client${o.raw ? " --client-raw" : ""}\``,
      "",
    ].join("\n");
  } finally {
    await emulator.stop();
  }
}

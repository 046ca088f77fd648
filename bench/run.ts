/**
 * `npm run bench`: the four side-by-side benchmarks of issue #6 against the official Go
 * listener/client (github.com/actions/scaleset v0.4.0), each with medians over several runs and
 * the ratio ours/reference; writes `bench/results/<YYYY-MM-DD>.md`.
 *
 *   npm run bench [-- --only idle,reaction,burst,burst-latency,client] [--runs 5] [--no-write]
 *                  [--idle-sizes 1,100,1000] [--idle-window-s 4] [--idle-long-poll-ms 2000]
 *                  [--reaction-jobs 1000] [--burst-jobs 5000] [--client-seconds 5]
 *                  [--burst-latency-jobs 1000] [--burst-latency-ms 20] [--client-raw]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { DEFAULT_DAEMON_V8_FLAGS } from "../src/daemon/v8-flags.js";
import { benchBurst } from "./burst.js";
import { benchClient } from "./client-overhead.js";
import { benchIdle } from "./idle.js";
import { buildAll, ROOT } from "./lib/build.js";
import { benchReaction } from "./reaction.js";

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : fallback;
};
const only = new Set(arg("only", "idle,reaction,burst,burst-latency,client").split(","));
const runs = Number(arg("runs", "5"));
const log = (line: string) => console.log(line);

const started = Date.now();
log("building the Go reference (bench/go) and our agent (bench/out/js) …");
buildAll();
const sections: string[] = [];
const timings: string[] = [];
async function section(name: string, fn: () => Promise<string>): Promise<void> {
  if (!only.has(name)) return;
  const t0 = Date.now();
  const load0 = loadavg()[0] ?? 0;
  log(`\n== ${name} ==`);
  const md = await fn();
  const load = `1-min load average ${load0.toFixed(1)} before, ${(loadavg()[0] ?? 0).toFixed(1)} after (${cpus().length} cores; other work on the machine adds noise).`;
  sections.push(`${md}\n${load}\n`);
  timings.push(`${name} ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  log(`\n${md}`);
}

await section("idle", () =>
  benchIdle({
    runs,
    sizes: arg("idle-sizes", "1,100,1000").split(",").map(Number),
    windowS: Number(arg("idle-window-s", "4")),
    longPollMs: Number(arg("idle-long-poll-ms", "2000")),
    goProcsMax: Number(arg("idle-go-procs-max", "100")),
    log,
  }),
);

await section("reaction", () =>
  benchReaction({
    runs,
    jobs: Number(arg("reaction-jobs", "1000")),
    warmUp: Number(arg("reaction-warm-up", "20")),
    gapMs: Number(arg("reaction-gap-ms", "2")),
    log,
  }),
);

await section("burst", () => benchBurst({ runs, jobs: Number(arg("burst-jobs", "5000")), log }));

await section("burst-latency", () =>
  benchBurst({
    runs,
    jobs: Number(arg("burst-latency-jobs", "1000")),
    jitLatencyMs: Number(arg("burst-latency-ms", "20")),
    log,
  }),
);

await section("client", () =>
  benchClient({
    runs,
    sessions: Number(arg("client-sessions", "4")),
    seconds: Number(arg("client-seconds", "5")),
    raw: argv.includes("--client-raw"),
    log,
  }),
);

const date = new Date().toISOString().slice(0, 10);
const header = [
  `# Benchmarks ${date}`,
  "",
  `Ours (this repository, Node ${process.version}) vs the reference: the official Go client and listener, github.com/actions/scaleset v0.4.0 (${goVersion()}), both against our emulator in its own process on ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM. Code: ${gitState()}. Ratios are ours ÷ reference (below 1 means ours is smaller/faster). Run time: ${((Date.now() - started) / 1000).toFixed(0)} s (${timings.join(", ")}).`,
  "",
  `Our side of §1–3 runs as \`scaleset run\` does, with its V8 settings (\`${process.env["SCALESET_V8_FLAGS"] ?? DEFAULT_DAEMON_V8_FLAGS}\`, see src/daemon/v8-flags.ts); §4 measures the client library with Node's defaults, as an application embedding it would run it.`,
  "",
  "Reproduce everything: `npm run bench`.",
  "",
].join("\n");
const doc = `${header}\n${sections.join("\n")}`;
if (!argv.includes("--no-write")) {
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${date}.md`);
  writeFileSync(file, doc);
  log(`\nwrote ${file}`);
}
process.exit(0);

function gitState(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], {
      cwd: ROOT,
      encoding: "utf8",
    })
      .split("\n")
      .filter((l) => l.trim() !== "").length;
    return `commit ${head.trim()}${dirty > 0 ? ` + ${dirty} uncommitted file(s) under src/ (the working tree is what ran)` : ""}`;
  } catch {
    return "commit unknown";
  }
}

function goVersion(): string {
  try {
    return execFileSync("go", ["version"], { encoding: "utf8" }).trim().split(" ")[2] ?? "go";
  } catch {
    return "go";
  }
}
